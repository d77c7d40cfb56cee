// The one addressing rule of the kernels (see kernels.ts): a tensor argument is a float index
// into the memory, its byte address is 4 times that.

// @ts-ignore: decorator
@inline export function f(i: i32): usize {
  return (<usize>i) << 2;
}
