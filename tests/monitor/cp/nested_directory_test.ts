// CP under CP from one directory (issue 12): a USER whose IPL is CP runs a
// CP of its own, with its directory inline (DIRECTORY ... END, nested for a
// third level) or named; its errors name the line and the reason.
import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { Machine } from "../../../src/machine/machine.ts";
import { Monitor } from "../../../src/monitor/monitor.ts";
import { CP } from "../../../src/monitor/cp/cp.ts";
import { DirectoryError } from "../../../src/monitor/cp/directory.ts";
import { batchReport, VM370_GUESTS } from "../../../src/guests/mod.ts";

/** The lecture's figure: CP with MVS, DOS/VS, CMS and a CP with two CMS. */
const FIGURE = `* The lecture's figure in one directory
USER MVS   PASSWD 128K
  IPL MVS
  MDISK 191 FB-512 1000 128 VMLAB1 MR
USER DOSVS PASSWD 128K
  IPL DOSVS
  MDISK 191 FB-512 2000 128 VMLAB1 MR
USER CMS   PASSWD 64K
  IPL CMS
  MDISK 191 FB-512 3000 128 VMLAB1 MR
USER CP2   PASSWD 2M
  MDISK 191 FB-512 4000 2048 VMLAB2 MR
  IPL CP
  DIRECTORY
    USER CMS1 PASSWD 64K
      IPL CMS
      MDISK 191 FB-512 100 128 VMLAB3 MR
    USER CMS2 PASSWD 64K
      IPL CMS
      MDISK 191 FB-512 300 128 VMLAB3 MR
  END
`;

function build(
  text: string,
  options: Parameters<typeof CP.fromDirectory>[2] = {},
  memory = "16 MiB",
): CP {
  return CP.fromDirectory(
    Monitor.on(new Machine({ memory, disk: "8 MiB" })),
    text,
    { guests: VM370_GUESTS, ...options },
  );
}

Deno.test("the lecture's figure from one directory text: a second CP with two CMS runs beside MVS, DOS/VS and CMS", () => {
  const cp = build(FIGURE);
  deepEqual([...cp.monitor.vms.keys()], ["MVS", "DOSVS", "CMS", "CP2"]);
  deepEqual([...cp.nested.keys()], ["CP2"]);
  const cp2 = cp.inner("CP2");
  equal(cp2.monitor.level, 2);
  deepEqual([...cp2.monitor.vms.keys()], ["CMS1", "CMS2"]);
  // The inner extents are blocks of CP2's minidisk (real blocks 4000+).
  deepEqual(cp2.vm("CMS2").disk.extents.map((e) => [e.start, e.blocks]), [
    [300, 128],
  ]);
  cp.vm("CMS").console.type("first level\r");
  cp2.vm("CMS1").console.type("second level, one\r");
  cp2.vm("CMS2").console.type("second level, two\r");
  match(cp.command("SEND CP2 Q NAMES"), /CMS1 {5}- READY , CMS2 {5}- READY/);
  const out = cp.begin(undefined, { forNs: 30_000_000_000 });
  match(out, /CMS {5}: CMS: you typed: first level/);
  match(out, /CP2\/CMS1: CMS: you typed: second level, one/);
  match(out, /CP2\/CMS2: CMS: you typed: second level, two/);
  match(out, /MVS {5}: o: all processes exited, halting/);
  const dos = batchReport(out.replace(/^DOSVS {3}: /gm, ""));
  deepEqual(dos.map((j) => j.status), ["EOJ", "EOJ", "EOJ", "ABEND"]);
  match(out, /CP: HALT; .*CP2 {6}- HALTED/);
  // What CMS2 wrote at its block 8 is on the real disk at 4000 + 300 + 8.
  const real = cp.monitor.machine.disk as unknown as Machine["disk"];
  deepEqual(real.readBlocks(4308, 1), cp2.vm("CMS2").disk.readBlocks(8, 1));
  // Nothing left to run at the second level; its exits went through both.
  ok(cp.vm("CP2").stats.totalExits > cp2.vm("CMS1").stats.totalExits);
  match(cp.command("SEND CP2 QUERX"), /DMKCFM001E INVALID CP COMMAND - QUERX/);
  match(cp.command("SEND CMS Q N"), /DMKCFM045E CMS IS NOT RUNNING CP/);
  match(cp.command("IPL CP2 CP"), /CP2 ALREADY RUNS CP/);
  match(cp.command("IPL CMS CP"), /NO DIRECTORY FOR CP/);
});

Deno.test("a named directory (text or object) and three levels of CP", () => {
  const named = build(
    `USER CP2 PW 1M
  MDISK 191 FB-512 0 1024 VMLAB2
  IPL CP SECOND`,
    {
      directories: {
        second: `USER CMS1 PW 64K
  IPL CMS
  MDISK 191 FB-512 0 128 V3`,
      },
    },
  );
  deepEqual([...named.inner("CP2").monitor.vms.keys()], ["CMS1"]);
  equal(named.directory.users[0]!.cp?.name, "SECOND");
  const obj = CP.fromDirectory(
    Monitor.on(new Machine({ memory: "8 MiB", disk: "2 MiB" })),
    {
      users: [{
        userid: "cp2",
        storage: "1M",
        ipl: "CP",
        mdisks: [{ vaddr: 0x191, start: 0, blocks: 512 }],
        directory: {
          users: [{
            userid: "cms1",
            storage: "64K",
            ipl: "CMS",
            mdisks: [{ vaddr: 0x191, start: 0, blocks: 128 }],
          }],
        },
      }],
    },
    { guests: VM370_GUESTS },
  );
  deepEqual([...obj.inner("CP2").monitor.vms.keys()], ["CMS1"]);
  const three = build(`USER CP2 PW 2M
  MDISK 191 FB-512 0 2048 V2
  IPL CP
  DIRECTORY
    USER CP3 PW 1M
      MDISK 191 FB-512 0 1024 V3
      IPL CP
      DIRECTORY
        USER CMS1 PW 64K
          IPL CMS
          MDISK 191 FB-512 0 128 V4
      END
  END`);
  const cms = three.inner("CP2").inner("CP3").vm("CMS1");
  equal(three.inner("CP2").inner("CP3").monitor.level, 3);
  cms.console.type("three deep\r");
  const out = three.begin(undefined, { forNs: 30_000_000_000 });
  match(out, /CP2\/CP3\/CMS1: CMS: you typed: three deep/);
  equal(cms.haltReason, "HALT instruction");
});

function problems(text: string, options = {}): string[] {
  try {
    build(text, options);
  } catch (e) {
    ok(e instanceof DirectoryError, String(e));
    return e.problems.map((p) => `${p.line}: ${p.reason}`);
  }
  throw new Error("the directory was accepted");
}

Deno.test("nested directory errors name the line and the reason", () => {
  deepEqual(
    problems(`USER CP2 PW 128K
  MDISK 191 FB-512 0 256 V2
  IPL CP
  DIRECTORY
    USER CMS1 PW 64K
      IPL VMS
      MDISK 191 FB-512 200 128 V3
    USER CMS2 PW 64K
    BOGUS
  END`),
    [
      "3: the users of CP2's directory need 160K (their storage and the monitor's 32K), more than CP2's storage of 128K",
      '5: in CP2\'s directory: unknown guest "VMS" to IPL: expected one of MVS, DOSVS, CMS, CP',
      "7: in CP2's directory: MDISK 191 blocks 200-327 lie beyond CP2's disk (256 blocks)",
      '9: in CP2\'s directory: unknown statement "BOGUS": expected USER, IPL, CONSOLE, MDISK, LINK, LABEL, JOB, DIRECTORY or END',
    ],
  );
  deepEqual(
    problems(
      `USER A PW 1M
  IPL CP
USER B PW 64K
  DIRECTORY
    USER C PW 64K
  END
END
USER D PW 1M
  IPL CP NOSUCH
USER E PW 1M
  IPL CP ELSEWHERE
  DIRECTORY
  END
USER F PW 1M
  IPL CP BAD
USER G PW 1M
  DIRECTORY`,
      {
        directories: { ELSEWHERE: "", BAD: "USER X PW 64K\n  LINK NOONE 191" },
      },
    ),
    [
      "2: IPL CP needs a DIRECTORY ... END block after it or the name of a directory",
      "4: a DIRECTORY for USER B, which does not IPL CP",
      "7: END without DIRECTORY",
      "9: unknown directory NOSUCH for IPL CP: expected one of ELSEWHERE, BAD",
      "12: USER E names directory ELSEWHERE on its IPL CP and has a DIRECTORY too",
      "15: in directory BAD, line 2: LINK to unknown user NOONE",
      "17: DIRECTORY without its END",
    ],
  );
  // A directory that fits on paper but not in the VM: the creation error,
  // with the line of the IPL.
  throws(
    () =>
      build(`USER CP2 PW 1M
  IPL CP
  DIRECTORY
    USER A PW 512K
    USER B PW 480K
  END`),
    (e: unknown) =>
      e instanceof DirectoryError && e.problems[0]!.line === 2 &&
      /cannot start CP in CP2/.test(e.problems[0]!.reason),
  );
});
