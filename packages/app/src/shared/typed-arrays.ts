/** `array` copied into a new one of its type, twice its length (the rest zeros). */
export function doubled<A extends Uint8Array | Int32Array>(array: A): A {
  const copy = new (array.constructor as new (length: number) => A)(array.length * 2);
  copy.set(array);
  return copy;
}
