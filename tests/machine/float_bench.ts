// How fast each representation of VAX floating point computes, to choose
// between them: F in JavaScript numbers against the same algorithm on
// BigInt, and D and G on split fractions (pairs of numbers) against BigInt.
// Run: deno bench -A tests/machine/float_bench.ts

import {
  addF,
  addSplitDG,
  divF,
  floatAdd,
  floatDiv,
  floatFromNumber,
  floatMul,
  mulF,
  mulSplitDG,
  type Quad,
} from "../../src/machine/isa/float.ts";

const fa = floatFromNumber("f", 1.2345);
const fb = floatFromNumber("f", -0.98765);
const qa: Quad = [fa[0], 0];
const qb: Quad = [fb[0], 0];
const da = floatFromNumber("d", 1.2345);
const db = floatFromNumber("d", -0.98765);
const ga = floatFromNumber("g", 1.2345);
const gb = floatFromNumber("g", -0.98765);
let sink = 0;

Deno.bench("F add, numbers", { group: "F add", baseline: true }, () => {
  sink ^= addF(fa[0], fb[0], false);
});
Deno.bench("F add, BigInt", { group: "F add" }, () => {
  sink ^= floatAdd("f", qa, qb, false)[0];
});
Deno.bench("F mul, numbers", { group: "F mul", baseline: true }, () => {
  sink ^= mulF(fa[0], fb[0], false);
});
Deno.bench("F mul, BigInt", { group: "F mul" }, () => {
  sink ^= floatMul("f", qa, qb, false)[0];
});
Deno.bench("F div, numbers", { group: "F div", baseline: true }, () => {
  sink ^= divF(fa[0], fb[0], false);
});
Deno.bench("F div, BigInt", { group: "F div" }, () => {
  sink ^= floatDiv("f", qa, qb, false)[0];
});
Deno.bench("D add, split", { group: "D add", baseline: true }, () => {
  sink ^= addSplitDG("d", da, db, false)[0];
});
Deno.bench("D add, BigInt", { group: "D add" }, () => {
  sink ^= floatAdd("d", da, db, false)[0];
});
Deno.bench("D mul, split", { group: "D mul", baseline: true }, () => {
  sink ^= mulSplitDG("d", da, db, false)[0];
});
Deno.bench("D mul, BigInt", { group: "D mul" }, () => {
  sink ^= floatMul("d", da, db, false)[0];
});
Deno.bench("G add, split", { group: "G add", baseline: true }, () => {
  sink ^= addSplitDG("g", ga, gb, false)[0];
});
Deno.bench("G add, BigInt", { group: "G add" }, () => {
  sink ^= floatAdd("g", ga, gb, false)[0];
});
Deno.bench("G mul, split", { group: "G mul", baseline: true }, () => {
  sink ^= mulSplitDG("g", ga, gb, false)[0];
});
Deno.bench("G mul, BigInt", { group: "G mul" }, () => {
  sink ^= floatMul("g", ga, gb, false)[0];
});
Deno.bench("D div, BigInt (the only one)", () => {
  sink ^= floatDiv("d", da, db, false)[0];
});
