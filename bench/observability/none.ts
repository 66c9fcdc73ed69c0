// The floor: a module that writes one line by hand.
export function line(i: number) {
  process.stdout.write(`{"message":"x","i":${i}}\n`);
}
