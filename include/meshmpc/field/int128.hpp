#pragma once
// 128-bit integers (a GCC/Clang extension; __extension__ keeps -Wpedantic quiet).
namespace meshmpc {
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;
}  // namespace meshmpc
