// The disk's medium can be loaded from and saved to a file.
import { deepEqual, equal, throws } from "node:assert/strict";
import { Machine } from "../../src/machine/machine.ts";

Deno.test("disk images load from and save to files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const image = new Uint8Array(1024).map((_, i) => (i * 7) & 0xff);
    await Deno.writeFile(`${dir}/in.img`, image);
    const m = new Machine({
      memory: "64 KiB",
      disk: "4 KiB",
      diskImage: `${dir}/in.img`,
    });
    deepEqual(m.disk.readBlocks(0, 2), image);
    equal(m.disk.readBlocks(2, 1).every((b) => b === 0), true);
    m.disk.writeBlocks(3, new Uint8Array(512).fill(0xab));
    m.disk.saveFile(`${dir}/out.img`);
    const saved = await Deno.readFile(`${dir}/out.img`);
    equal(saved.length, 4096);
    deepEqual(saved.subarray(0, 1024), image);
    equal(saved[3 * 512], 0xab);
    const m2 = new Machine({
      memory: "64 KiB",
      disk: "4 KiB",
      diskImage: saved,
    });
    deepEqual(m2.disk.saveImage(), saved);
    throws(
      () => new Machine({ memory: "64 KiB", disk: "512", diskImage: image }),
      /disk image of 1024 bytes: the disk holds 512 bytes/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
