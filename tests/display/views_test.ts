// Renderings: terminal text (Deno.customInspect) and notebook bundles
// (Symbol.for("Jupyter.display")) carry the right fields and values.
import { equal, match, ok } from "node:assert/strict";
import {
  assemble,
  checkVirtualizability,
  Machine,
  Monitor,
  view,
} from "../../mod.ts";
import { pslSvg, sequenceSvg } from "../../src/display/views.ts";

const JUPYTER = Symbol.for("Jupyter.display");
type Bundle = Record<string, string>;
function bundleOf(x: unknown): Bundle {
  return (x as Record<symbol, () => Bundle>)[JUPYTER]!.call(x);
}
function text(x: unknown): string {
  return Deno.inspect(x, { colors: false });
}

Deno.test("Machine renders its registers, PSL and console, as text and HTML", () => {
  const m = new Machine({ memory: "64 KiB", disk: 0 });
  const p = assemble("MOVL #^X1234,R3\nHALT", { origin: 0x200 });
  m.load(p.bytes, p.origin);
  m.set("PC", 0x200);
  m.run();
  const t = text(m);
  match(t, /Machine vax: 64 KiB memory/);
  match(t, /R3=0x00001234/);
  match(t, /halted \(HALT instruction\)/);
  match(t, /PSL 0x041F0000\s+CUR=kernel PRV=kernel IPL=0x1F\s+IS/);
  const b = bundleOf(m);
  ok(b["text/plain"] && b["text/html"]);
  equal(b["text/plain"]!.includes("\x1b["), false);
  match(b["text/html"]!, /<svg/);
  match(b["text/html"]!, /00001234/);
});

Deno.test("the PSL picture labels every field and shows the values", () => {
  const svg = pslSvg(0x21c40005, "real");
  for (
    const f of [
      "CM",
      "TP",
      "VM",
      "FPD",
      "IS",
      "CUR",
      "PRV",
      "IPL",
      "DV",
      "IV",
      "N",
      "Z",
      "V",
      "C",
    ]
  ) {
    match(svg, new RegExp(`>${f}<`));
  }
  match(svg, />exec</); // CUR = executive
  match(svg, />user</); // PRV = user
  match(svg, />0x04</); // IPL 4
  match(svg, /21C40005/);
});

Deno.test("a VM's PSL report shows virtual PSL, real PSL and VMPSL", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("T").memory("64 KiB").create();
  const t = text(vm.psl());
  match(t, /virtual PSL 0x041F0000\s+CUR=kernel/);
  match(t, /real PSL\s+0x21400000\s+CUR=executive PRV=executive IPL=0x00\s+VM/);
  match(t, /VMPSL\s+0x041F0000/);
  match(bundleOf(vm.psl())["text/html"]!, /VMPSL/);
});

Deno.test("page tables beside shadow tables mark the remapped protections", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }), { shadow: "shared" });
  const vm = cp.vm("PT").memory("64 KiB").create();
  const pte = (pfn: number, prot: number) =>
    ((0x80000000 | (prot << 27) | pfn) >>> 0).toString(16);
  const table = Array.from(
    { length: 16 },
    (_, i) => `.long ^X${pte(i, i === 8 ? 2 : 4)}`,
  ).join("\n");
  const p = assemble(`
        .org    ^X200
start:  JMP     @#^X80000000+go
go:     MTPR    #^X1800,#12
        MTPR    #16,#13
        MTPR    #1,#56
        MOVL    @#^X80001000,R0
        MOVL    #1,@#^X80001000
        HALT
        .org    ^X1800
${table}
`);
  vm.load(p.bytes, p.origin);
  vm.set("PC", 0x200);
  vm.run({ limit: 100 });
  const c = vm.pageTables("S0", { from: 7, count: 3 });
  const row = c.rows.find((r) => r.va === 0x80001000)!;
  equal(row.guest.protName, "KW");
  equal(row.shadow?.protName, "EW");
  equal(row.remapped, true);
  equal(row.guest.modified, true); // the guest's M bit, kept true
  const t = text(c);
  match(t, /80001000\s+KW\s+1\s+1\s+0x8\s+EW \(was KW\)\s+EW/);
  const html = bundleOf(c)["text/html"]!;
  match(html, /background:#ffd6a0/); // highlighted cells
  match(html, /guest prot/);
});

Deno.test("the monitor shows its VMs and the minidisk map, with a picture of the disk", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" }));
  cp.vm("ALPHA").memory("64 KiB").minidisk("64 KiB").create();
  cp.vm("BETA").memory("64 KiB").minidisk("32 KiB").minidisk("16 KiB").create();
  const t = text(cp);
  match(t, /Monitor \(split shadow tables/);
  match(t, /ALPHA\s+ready\s+64 KiB\s+128 blocks/);
  match(t, /BETA\s+191\s+128\s+191\s+64/);
  match(t, /free\s+\d+\s+2047/);
  const html = bundleOf(cp.minidisks)["text/html"]!;
  match(html, /<svg/);
  match(html, /ALPHA 191/);
});

Deno.test("traces render as a table and a sequence diagram with the four lanes", () => {
  const real = new Machine({ memory: "4 MiB", trace: true });
  const cp = Monitor.on(real);
  const vm = cp.vm("T").memory("64 KiB").create();
  vm.set("PC", 0x400);
  const r = vm.inject("MTPR #3,#18");
  const t = text(r);
  match(t, /MTPR S\^#3,S\^#\^X12 in kernel mode: exits .*MTPR×1/);
  match(t, /IPL\s+0x0000001F\s+0x00000003/);
  const svg = sequenceSvg(r.events);
  for (const lane of ["user process", "guest OS", "monitor", "hardware"]) {
    match(svg, new RegExp(lane));
  }
  match(svg, /exit: MTPR/);
  const tv = view.trace(real.trace.events, "all");
  match(String(tv), /exit\s+exit: MTPR at 0x00000400/);
  match(tv.html, /<svg/);
  match(view.timeline(real.trace.events).html, /<svg/);
});

Deno.test("statistics and the Popek-Goldberg verdict render", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB" }));
  const vm = cp.vm("S").memory("64 KiB").create();
  vm.set("PC", 0x400);
  vm.inject("MTPR #3,#18");
  const s = String(view.stats(vm));
  match(s, /instructions\s+1/);
  match(s, /exit MTPR\s+1/);
  match(s, /time in monitor/);
  const v = view.virtualizability(
    checkVirtualizability({ only: ["MOVL", "MOVPSL"] }),
  );
  match(String(v), /Theorem 1 \(trap-and-emulate monitor\): fails/);
  match(v.html, /<details[^>]*><summary><code>MOVPSL/);
});

Deno.test("no colour with NO_COLOR or off a terminal", () => {
  const m = new Machine({ memory: "64 KiB", disk: 0 });
  equal(text(m).includes("\x1b["), false);
});

Deno.test("the console, the disk, the processor and an assembly print usefully", () => {
  const m = new Machine({ memory: "64 KiB", disk: "8 KiB" });
  const p = assemble("start: MOVL #65,R0\n MTPR R0,#35\n HALT", {
    origin: 0x200,
  });
  m.load(p.bytes, p.origin);
  m.set("PC", 0x200);
  m.run();
  match(text(m.console), /console: 1 character printed/);
  match(text(m.console), /A/);
  match(text(m.disk), /disk: 16 blocks \(8 KiB\), DKCS 0x80, 0 transfers/);
  match(text(m.cpu), /R0=0x00000041/);
  match(text(m.cpu), /3 instructions/);
  match(text(p), /00000200 {2}d0 8f 41 00 00 00 50\s+start: MOVL #65,R0/);
  match(bundleOf(m.disk)["text/html"]!, /<table/);
});

Deno.test("a VM builder, a minidisk and a virtual console print usefully", () => {
  const cp = Monitor.on(new Machine({ memory: "4 MiB", disk: "1 MiB" }));
  const b = cp.vm("CMS").memory("64 KiB").minidisk("32 KiB").minidisk("16 KiB");
  match(text(b), /VM builder "CMS": memory 64 KiB, minidisks 32 KiB \+ 16 KiB/);
  const vm = b.create();
  match(
    text(vm.disk),
    /minidisk: 96 blocks from 2 extents \(191: real blocks 0-63, 192: real blocks 64-95\)/,
  );
  vm.console.type("hi");
  match(text(vm.console), /virtual console: 0 characters printed, 2 typed/);
});

Deno.test("Popek-Goldberg: the report, a verdict and its evidence print in the REPL and render in notebooks", () => {
  const r = checkVirtualizability({
    only: ["MOVL", "MOVPSL"],
    skipDataStructures: true,
  });
  const JUPYTER = Symbol.for("Jupyter.display");
  type Displayable = { [JUPYTER]: () => Record<string, string> };
  match(Deno.inspect(r), /Theorem 1 \(trap-and-emulate monitor\): fails/);
  const v = r.verdict("MOVPSL")!;
  match(Deno.inspect(v), /^MOVPSL \(opcode 0xDC\): behaviour-sensitive/);
  match(Deno.inspect(v), /bytes DC 51/);
  const html = (v as unknown as Displayable)[JUPYTER]()["text/html"]!;
  match(html, /MOVPSL R1/);
  match(html, /the result depends on the previous mode/);
  const report = (r as unknown as Displayable)[JUPYTER]()["text/html"]!;
  equal((report.match(/<details/g) ?? []).length, 2); // one per instruction
  const e = v.evidence[0]!;
  match(Deno.inspect(e), /bare MOVPSL R1/);
  ok((e as unknown as Displayable)[JUPYTER]()["text/html"]!.includes("<i>"));
});
