// CP (issue 12): the directory becomes VMs (and its errors name line and
// reason); every console command, its abbreviations and its numbered
// errors; LINK's modes with VM/370's rules; labels (no read up, no write
// down) and the audit log; several guests at once.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { Machine } from "../../../src/machine/machine.ts";
import { Monitor } from "../../../src/monitor/monitor.ts";
import { CP } from "../../../src/monitor/cp/cp.ts";
import {
  DirectoryError,
  parseDirectory,
} from "../../../src/monitor/cp/directory.ts";
import { CpError } from "../../../src/monitor/cp/messages.ts";
import { VM370_GUESTS } from "../../../src/guests/mod.ts";
import { asm } from "../_helpers.ts";

const GUESTS = VM370_GUESTS;

const DIRECTORY = `
* The lecture's system: MVS, DOS/VS and CMS under CP
USER MVS PASSWD 128K 256K ABCG
  IPL MVS
  MDISK 191 FB-512 100 128 VMLAB1 MR
USER DOSVS PASSWD 128K
  IPL DOSVS
  MDISK 191 FB-512 300 128 VMLAB1
USER CMS PASSWD 64K 128K
  IPL CMS
  MDISK 191 FB-512 500 128 VMLAB1 MR
  LABEL SECRET CRYPTO
USER OPER PASSWD 64K
  LABEL TOPSECRET CRYPTO,NUCLEAR
USER LOW PASSWD 64K
USER PUB PASSWD 64K
  MDISK 191 FB-512 700 16 VMLAB1 RR
`;

function makeCp(dir = DIRECTORY): CP {
  const monitor = Monitor.on(new Machine({ memory: "8 MiB", disk: "1 MiB" }));
  return CP.fromDirectory(monitor, dir, { guests: GUESTS });
}

Deno.test("the directory becomes VMs with their storage, minidisks at their extents and their guests", () => {
  const cp = makeCp();
  deepEqual([...cp.monitor.vms.keys()], [
    "MVS",
    "DOSVS",
    "CMS",
    "OPER",
    "LOW",
    "PUB",
  ]);
  const mvs = cp.vm("MVS");
  equal(mvs.memorySize, 128 * 1024);
  deepEqual(mvs.disk.extents.map((e) => [e.start, e.blocks]), [[100, 128]]);
  // IPL MVS loaded the image and wrote its disk through the minidisk.
  equal(cp.monitor.machine.disk.data[100 * 512], 0x56); // "V"
  const out = cp.begin();
  match(out, /MVS {5}: o: all processes exited, halting/);
  match(out, /DOSVS {3}: BATCH: JOB PRIMES {4}EOJ {3}RESULT 0x0000012F/);
  match(out, /DOSVS {3}: BATCH: end of job stream, 4 jobs, 1 abended/);
  ok(/MVS {6}- HALTED/.test(cp.query("NAMES")));
});

Deno.test("directory errors name the line and the reason, all of them", () => {
  const bad = `USER A PW 64K
  MDISK 191 FB-512 0 100 V1
USER B PW 64K
  MDISK 191 FB-512 50 10 V1
  MDISK 192 FB-512 2045 10 V1
  IPL NOSUCH
  LINK C 191
USER A PW 64K
  FROB 1
USER D PW 12Q
`;
  let err: unknown;
  try {
    parseDirectory(bad, { diskBlocks: 2048, guests: ["CMS"] });
  } catch (e) {
    err = e;
  }
  ok(err instanceof DirectoryError);
  const p = err.problems.map((x) => `${x.line}: ${x.reason}`);
  ok(
    p.some((x) => /^4: .*overlap USER A MDISK 191 \(blocks 0-99\)/.test(x)),
    p.join("\n"),
  );
  ok(p.some((x) => /^5: .*beyond the real disk \(2048 blocks\)/.test(x)));
  ok(p.some((x) => /^3: .*unknown guest "NOSUCH"/.test(x)));
  ok(p.some((x) => /^7: LINK to unknown user C/.test(x)));
  ok(p.some((x) => /^8: .*defined twice/.test(x)));
  ok(p.some((x) => /^9: unknown statement "FROB"/.test(x)));
  ok(p.some((x) => /^10: .*storage/.test(x)));
  match(err.message, /line 4:/);
  throws(
    () =>
      parseDirectory("MDISK 191 FB-512 0 1 V", { diskBlocks: 10, guests: [] }),
    /line 1: MDISK before any USER statement/,
  );
});

Deno.test("a directory can be an object", () => {
  const monitor = Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" }));
  const cp = CP.fromDirectory(monitor, {
    users: [{
      userid: "cms1",
      storage: "64K",
      ipl: "CMS",
      mdisks: [{ vaddr: 0x191, start: 10, blocks: 128 }],
    }],
  }, { guests: GUESTS });
  equal(cp.vm("CMS1").disk.blocks, 128);
  throws(
    () =>
      CP.fromDirectory(monitor, {
        users: [{ userid: "X", storage: "64K", ipl: "VMS" }],
      }, { guests: GUESTS }),
    /unknown guest "VMS"/,
  );
});

Deno.test("QUERY: names, users, virtual, dasd, links, label, audit; abbreviations and errors", () => {
  const cp = makeCp();
  const names = cp.command("Q N");
  for (const u of ["MVS", "DOSVS", "CMS", "OPER", "LOW"]) ok(names.includes(u));
  equal(cp.command("q names"), names);
  equal(cp.command("QUERY USERS"), "    6 USERS");
  match(cp.command("Q V MVS"), /STORAGE = 128K {2}\(MAX 256K\)/);
  match(cp.command("Q V MVS"), /DASD 191 FB-512 R\/W {4}128 BLK ON VMLAB1/);
  match(cp.command("Q DASD"), /CMS {6}191 FB-512 VMLAB1 START {4}500/);
  equal(cp.command("Q LINKS MVS 191"), "MVS 191: MVS 191 R/W");
  equal(cp.command("Q LABEL CMS"), "CMS SECRET (CRYPTO)");
  equal(cp.command("QUERX"), "DMKCFM001E INVALID CP COMMAND - QUERX");
  equal(cp.command("Q FROB"), "DMKQRY003E INVALID OPTION - FROB");
  equal(cp.command("Q V"), "DMKQRY020E USERID MISSING OR INVALID");
  equal(cp.command("Q V NOBODY"), "DMKCFM053E NOBODY NOT IN CP DIRECTORY");
  throws(() => cp.query("VIRTUAL", "NOBODY"), CpError);
});

Deno.test("DISPLAY: registers, PSW with VMPSL, storage, page tables; errors", () => {
  const cp = makeCp();
  cp.vm("LOW").set("R3", 0x1234);
  match(
    cp.command("D LOW G"),
    /GPR {2}0 = 00000000 00000000 00000000 00001234/,
  );
  match(
    cp.command("DISPLAY LOW PSW"),
    /PSL {3}= 041F0000[\s\S]*REAL {2}= 2[0-9A-F]{7}[\s\S]*VMPSL = 041F0000/,
  );
  cp.vm("LOW").load(new Uint8Array([0xde, 0xad]), 0x200);
  match(cp.command("D LOW 200-20F"), /^000200 {2}DE AD 00/);
  match(cp.command("D MVS PT S0"), /80000000 GUEST V/);
  match(cp.command("D LOW 99999"), /DMKDSP160E STORAGE ADDRESS 99999 EXCEEDS/);
  match(cp.command("D LOW XYZ"), /DMKDSP003E INVALID OPTION - XYZ/);
  equal(cp.command("D"), "DMKCFM020E USERID MISSING OR INVALID");
});

Deno.test("TRACE is built on the hooks: SVC, PRIV, IO, PROG, EXIT per VM; END stops", () => {
  const cp = makeCp();
  equal(cp.command("TR MVS SVC IO"), "TRACE SVC IO SET FOR MVS");
  cp.begin("MVS", { limit: 300_000 });
  ok(
    cp.traceLog.some((l) => /^MVS {6}CHMK {5}AT /.test(l)),
    cp.traceLog.slice(0, 5).join("\n"),
  );
  ok(cp.traceLog.some((l) => /^MVS {6}I\/O READ 1 BLK AT 16/.test(l)));
  ok(!cp.traceLog.some((l) => /MTPR/.test(l)));
  equal(cp.command("TRACE MVS END"), "TRACE ENDED FOR MVS");
  const n = cp.traceLog.length;
  cp.begin("MVS", { limit: 100_000 });
  equal(cp.traceLog.length, n);
  equal(cp.command("TRACE MVS FROB"), "DMKTRA003E INVALID OPTION - FROB");
});

Deno.test("DEFINE STORAGE, IPL, STOP, BEGIN, SYSTEM RESET and their errors", () => {
  const cp = makeCp();
  equal(cp.command("DEF STOR CMS 128K"), "STORAGE = 128K");
  equal(cp.vm("CMS").memorySize, 128 * 1024);
  deepEqual(cp.vm("CMS").disk.extents.map((e) => e.start), [500]);
  match(
    cp.command("DEF STOR CMS 1M"),
    /DMKDEF094E STORAGE EXCEEDS ALLOWED MAXIMUM/,
  );
  match(cp.command("DEFINE FROB CMS 1M"), /DMKDEF003E INVALID OPTION - FROB/);
  equal(cp.command("IPL CMS CMS"), "CMS IPL CMS");
  match(cp.command("IPL CMS VMS"), /DMKCFM024E DEVICE OR SYSTEM VMS INVALID/);
  equal(cp.command("STOP MVS"), "MVS STOPPED");
  equal(cp.command("STOP DOSVS"), "DOSVS STOPPED");
  cp.vm("CMS").console.type("hi\r");
  const out = cp.command("B");
  match(out, /CMS {5}: .*you typed: hi/);
  ok(!/MVS {5}:/.test(out));
  equal(cp.vm("MVS").stats.instructions, 0);
  equal(cp.command("SYS CMS RESET"), "CMS SYSTEM RESET");
  equal(cp.vm("CMS").get("PSL"), 0x041f0000);
  equal(cp.vm("CMS").get("PC"), 0);
  match(cp.command("SYSTEM CMS FROB"), /DMKSYS003E INVALID OPTION - FROB/);
  match(cp.command("HELP"), /Query Display TRace DEFine/);
});

Deno.test("LINK modes follow VM/370's rules; writes through one link are seen through another", () => {
  const cp = makeCp(`
USER OWNER PW 64K
  MDISK 191 FB-512 100 16 VMLAB1 RR
USER A PW 64K
USER B PW 64K
USER C PW 64K
`);
  // The owner holds its disk read-only (RR): W (refused if anyone else has
  // any link) fails, M (refused if anyone writes) succeeds.
  equal(
    cp.command("LINK A TO OWNER 191 AS 192 W"),
    "DMKLNK106E OWNER 191 NOT LINKED; R/O BY 1 USERS",
  );
  equal(
    cp.command("LINK A TO OWNER 191 AS 192 M"),
    "A 192 LINKED R/W TO OWNER 191",
  );
  // A writes: R (refused if anyone writes) fails; RR succeeds.
  equal(
    cp.command("LINK B OWNER 191 192 R"),
    "DMKLNK104E OWNER 191 NOT LINKED; R/W BY A",
  );
  equal(cp.command("LINK B OWNER 191 192 RR"), "B 192 LINKED R/O TO OWNER 191");
  // A second writer is refused unless multiple-write is asked for.
  equal(
    cp.command("LINK C OWNER 191 192 M"),
    "DMKLNK106E OWNER 191 NOT LINKED; R/W BY A",
  );
  match(
    cp.command("LINK C OWNER 191 192 MR"),
    /DMKLNK101W DASD 192 FORCED R\/O; R\/W BY A\nC 192 LINKED R\/O/,
  );
  equal(cp.command("DET C 192"), "DASD 192 DETACHED");
  equal(cp.command("LINK C OWNER 191 192 MW"), "C 192 LINKED R/W TO OWNER 191");
  equal(
    cp.command("LINK C OWNER 191 192 MW"),
    "DMKLNK109E C 192 NOT LINKED; VIRTUAL ADDRESS IN USE",
  );
  equal(
    cp.command("LINK C OWNER 199 193"),
    "DMKLNK107E OWNER 199 NOT LINKED; NOT IN CP DIRECTORY",
  );
  equal(cp.command("DET C 777"), "DMKDET040E DEV 777 DOES NOT EXIST");
  equal(
    cp.command("LINK C OWNER 191 194 ZZ"),
    "DMKLNK003E INVALID OPTION - ZZ",
  );
  // Writes through A's link are visible through B's and C's.
  const a = cp.vm("A"), b = cp.vm("B");
  a.disk.writeBlocks(0, new TextEncoder().encode("shared!"));
  equal(
    new TextDecoder().decode(b.disk.readBlocks(0).subarray(0, 7)),
    "shared!",
  );
  equal(
    cp.command("Q LINKS OWNER 191"),
    "OWNER 191: OWNER 191 R/O, A 192 R/W, B 192 R/O, C 192 R/W",
  );
});

Deno.test("a read-only link makes the guest's write fail with the controller's error status", () => {
  const cp = makeCp(`
USER OWNER PW 64K
  MDISK 191 FB-512 100 16 VMLAB1 W
USER READER PW 64K
`);
  equal(
    cp.command("LINK READER OWNER 191 191 RR"),
    "READER 191 LINKED R/O TO OWNER 191",
  );
  const vm = cp.vm("READER");
  const a = asm(`
        MTPR #0, #PR$_DKBLK
        MTPR #^X400, #PR$_DKMEM
        MTPR #1, #PR$_DKCNT
        MTPR #^X102, #PR$_DKCS      ; write, GO
        MFPR #PR$_DKCS, R0
        HALT
  `);
  vm.load(a.bytes, a.origin);
  vm.set("PC", a.entry);
  vm.load(new Uint8Array([1, 2, 3]), 0x400);
  equal(vm.run({ limit: 100 }).stop, "halt");
  const cs = vm.get("R0");
  ok((cs & 0x8000) !== 0, `ERR set: ${cs.toString(16)}`);
  equal((cs >>> 12) & 7, 4);
  equal(cp.monitor.machine.disk.data[100 * 512], 0);
});

Deno.test("labels: no read up, no write down; every link is audited and exported as JSON lines", () => {
  const cp = makeCp();
  // LOW (unclassified) may not read CMS's SECRET disk.
  match(
    cp.command("LINK LOW CMS 191 192 RR"),
    /DMKLNK120E CMS 191 NOT LINKED; LABEL SECRET \(CRYPTO\) NOT DOMINATED BY LOW UNCLASSIFIED \(NO READ UP\)/,
  );
  // OPER (TOPSECRET, CRYPTO+NUCLEAR) may read it, not write it.
  equal(
    cp.command("LINK OPER CMS 191 192 RR"),
    "OPER 192 LINKED R/O TO CMS 191",
  );
  match(
    cp.command("LINK OPER CMS 191 193 MW"),
    /DMKLNK121E CMS 191 NOT LINKED R\/W; OPER TOPSECRET \(CRYPTO,NUCLEAR\) DOMINATES LABEL SECRET \(CRYPTO\) \(NO WRITE DOWN\)/,
  );
  // A disk nobody writes: MR falls back to read for the label alone.
  match(
    cp.command("LINK OPER PUB 191 194 MR"),
    /DMKLNK101W DASD 194 FORCED R\/O; LABEL \(NO WRITE DOWN\)\nOPER 194 LINKED R\/O/,
  );
  // LOW (unclassified) may write PUB's unclassified disk.
  equal(cp.command("LINK LOW PUB 191 191 MR"), "LOW 191 LINKED R/W TO PUB 191");
  const audit = cp.audit.map((a) =>
    `${a.user}>${a.owner} ${a.mode} ${a.result}`
  );
  deepEqual(audit, [
    "LOW>CMS RR refused",
    "OPER>CMS RR granted R/O",
    "OPER>CMS MW refused",
    "OPER>PUB MR granted R/O",
    "LOW>PUB MR granted R/W",
  ]);
  const lines = cp.auditJsonLines().trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  equal(lines.length, 5);
  equal(lines[0].userLabel, "UNCLASSIFIED");
  equal(lines[0].diskLabel, "SECRET (CRYPTO)");
  match(cp.command("Q AUDIT"), /1 LOW LINK CMS 191 AS 192 RR: REFUSED/);
});
