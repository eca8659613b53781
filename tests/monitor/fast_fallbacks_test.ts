// Each case where the processor leaves a VM's CHMx or REI to the monitor
// (vm_fastpath.ts), and the common case around it: the run with the fast
// path ends exactly as the monitor's slow path (state, memory, statistics
// and simulated time) and as bare hardware.
import { deepEqual, equal } from "node:assert/strict";
import {
  assertEquivalent,
  fastCount,
  MEMORY,
  observe,
  psl,
  runBoth,
  type Setup,
} from "./_helpers.ts";

/**
 * Runs fast and slow (and bare) and asserts they all agree; returns the
 * VM's final state, the halt reason and how many CHMx/REI the processor
 * did itself.
 */
function agree(
  source: string,
  setup: Setup,
): { state: Record<string, string>; reason: string; fast: number } {
  const [fast, n] = fastCount(() =>
    runBoth(source, setup, { fastSyscalls: true })
  );
  const slow = runBoth(source, setup, { fastSyscalls: false });
  assertEquivalent(fast, "fast path");
  const seen = (p: typeof fast) => ({
    result: p.virt.result,
    state: observe(p.vm),
    memory: p.vm.readPhysical(0, MEMORY),
    stats: p.vm.stats,
    ns: p.cp.machine.now,
  });
  deepEqual(seen(fast), seen(slow));
  return { state: observe(fast.vm), reason: fast.virt.result.reason, fast: n };
}

const USER = psl({ cur: 3, prv: 3 });

Deno.test("fast system calls fall back: an REI that lowers IPL below a pending software interrupt", () => {
  const r = agree(
    `       MTPR    #3,#PR$_SIRR      ; level 3 pending, IPL 31 masks it
            PUSHL   #${USER}
            PUSHAB  user
            REI                       ; unmasks it: taken at once
    user:   CHMK    #1
            CHMK    #1
            CHMK    #0
            .ALIGN  LONG
    sw3:    INCL    R7
            REI
            .ALIGN  LONG
    chmk:   TSTL    (SP)+
            BEQL    done
            REI
    done:   HALT`,
    { psl: psl({ ipl: 31 }), vectors: { 0x8c: "sw3", 0x40: "chmk" } },
  );
  // The interrupt ran once; every CHMK/REI but the unmasking REI was fast.
  equal(r.state.R7, "00000001");
  equal(r.reason, "HALT instruction");
  equal(r.fast, 6);
});

Deno.test("fast system calls fall back: an REI to a mode whose AST is due (ASTLVL)", () => {
  const r = agree(
    `       MTPR    #3,#PR$_ASTLVL
            PUSHL   #${USER}
            PUSHAB  user
            REI                       ; to user: SISR<2>, taken at IPL 0
    user:   CHMK    #1
            CHMK    #0
            .ALIGN  LONG
    ast:    MTPR    #4,#PR$_ASTLVL
            INCL    R8
            REI
            .ALIGN  LONG
    chmk:   TSTL    (SP)+
            BEQL    done
            REI
    done:   HALT`,
    { vectors: { 0x88: "ast", 0x40: "chmk" } },
  );
  equal(r.state.R8, "00000001");
  equal(r.fast, 4);
});

Deno.test("fast system calls fall back: the T bit (trace traps between system calls)", () => {
  const r = agree(
    `       PUSHL   #${USER | 0x10}
            PUSHAB  user
            REI
    user:   CHMK    #1
            INCL    R6
            CHMK    #1
            CHMK    #0
            .ALIGN  LONG
    trace:  INCL    R9
            CMPL    R9,#3
            BLSS    1$
            BICL2   #^X10,4(SP)       ; stop tracing
    1$:     REI
            .ALIGN  LONG
    chmk:   TSTL    (SP)+
            BEQL    done
            REI
    done:   HALT`,
    { vectors: { 0x28: "trace", 0x40: "chmk" } },
  );
  equal(r.state.R9, "00000003");
  equal(r.state.R6, "00000001");
  equal(r.fast, 2); // after tracing stopped
});

Deno.test("fast system calls fall back: CHMK on the interrupt stack halts, an REI to an illegal PSL faults", () => {
  const is = agree(`CHMK #1`, { psl: psl({ is: true, ipl: 1 }) });
  equal(is.reason, "CHMx executed while on interrupt stack");
  const rof = agree(
    `       PUSHL   #${USER | 0x100}  ; a must-be-zero bit
            PUSHAB  user
            REI
    user:   HALT`,
    {},
  );
  equal(rof.state.PC, "00000419"); // the reserved-operand stub (0x18)
  equal(is.fast + rof.fast, 0);
});

Deno.test("fast system calls fall back: a frame that crosses a page, and one in memory that does not exist", () => {
  const src = `
            PUSHL   #${USER}
            PUSHAB  user
            REI
    user:   CHMK    #1
            CHMK    #0
            .ALIGN  LONG
    chmk:   TSTL    (SP)+
            BEQL    done
            REI
    done:   HALT`;
  // KSP 0x6002: the pushed PSL straddles 0x6000.
  const cross = agree(src, {
    regs: { KSP: 0x6002 },
    vectors: { 0x40: "chmk" },
  });
  equal(cross.reason, "HALT instruction");
  equal(cross.fast, 0);
  // The kernel stack beyond the guest's memory: a machine check.
  const none = agree(src, {
    regs: { KSP: MEMORY + 0x100 },
    vectors: { 0x40: "chmk" },
  });
  equal(none.state.PC, "00000405"); // the machine-check stub (0x04)
});

Deno.test("fast system calls with the guest's page tables: PTE<M> of the stack pages set as the monitor sets it", () => {
  const r = agree(
    `       PUSHL   #${USER}
            PUSHAB  user
            REI
    user:   MOVL    #20,R5
    1$:     CHMK    #1
            CHME    #2
            SOBGTR  R5,1$
            CHMK    #0
            .ALIGN  LONG
    chmk:   TSTL    (SP)+
            BEQL    done
            REI
            .ALIGN  LONG
    chme:   TSTL    (SP)+
            REI
    done:   HALT`,
    { mapping: true, vectors: { 0x40: "chmk", 0x44: "chme" } },
  );
  equal(r.reason, "HALT instruction");
  // CHMK and its REI in the processor; CHME and its REI change the split
  // policy's shadow view (user/kernel to executive): the monitor's.
  equal(r.fast, 42);
});

Deno.test("an REI (fast or emulated) to user mode at a PC in the kernel-only page it ran in: the fetch takes the ACV as on bare hardware", () => {
  // The processor's fetch cache held that page with executive (virtual
  // kernel) rights; a mode change from outside the loop must drop it.
  const r = agree(
    `       PUSHL   #${USER}
            PUSHAB  user
            REI
    user:   NOP
            HALT`,
    { mapping: true, regs: { PC: 0x80000000 + 0x1000 } },
  );
  equal(r.state.PC, "00000421"); // the access-violation stub (0x20)
});
