import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** ELF e_machine values (the ELF spec's header field at offset 18) the native-module tests plant. */
export const EM_X86_64 = 0x3e;
export const EM_AARCH64 = 0xb7;

/**
 * Writes a package "fake-native" into `project`'s lambda-native/linux-arm64/node_modules whose one addon,
 * lib/addon.node, is a 64-byte little-endian ELF header for `machine`. Returns the addon's path.
 */
export function plantFakeNativeAddon(project: string, machine: number): string {
  const pkg = join(project, "lambda-native", "linux-arm64", "node_modules", "fake-native");
  mkdirSync(join(pkg, "lib"), { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "fake-native", version: "1.0.0" }));
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[5] = 1; // little-endian
  elf.writeUInt16LE(machine, 18);
  const addon = join(pkg, "lib", "addon.node");
  writeFileSync(addon, elf);
  return addon;
}
