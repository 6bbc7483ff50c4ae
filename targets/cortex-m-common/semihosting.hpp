// Arm semihosting for bare-metal Cortex-M (no libc stdio), plus a tiny int/float formatter.
//
// On the target (any __arm__ build):
//   semihosting::write0("text\n");      // SYS_WRITE0: prints a NUL-terminated string on the host
//   semihosting::exit(status);          // SYS_EXIT_EXTENDED: ends the program with a status
//                                       // (qemu-system-arm exits with it, mod 256)
//   semihosting::write_int(v), write_float(v, digits)
//
// Everywhere (host builds too - the formatter is plain portable C++, no printf, no heap):
//   char buf[tinyfmt::float_buffer_size];
//   tinyfmt::format_float(buf, 0.125, 9);   // "0.125"       (like printf "%.9g")
//   tinyfmt::format_int(buf, -42);          // "-42"
//
// Semihosting works only under a debugger or an emulator that implements it (QEMU needs
// `-semihosting-config enable=on,...`); on a board without a debugger `bkpt 0xab` stops the CPU.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tinyfmt {

// Largest text format_float produces, with the NUL: "-1.23456789012345678e-308".
inline constexpr std::size_t float_buffer_size = 32;
// Largest text format_int produces, with the NUL: "-9223372036854775808".
inline constexpr std::size_t int_buffer_size = 24;

// Writes the decimal form of v into out (NUL-terminated); returns a pointer to the NUL.
inline char* format_int(char* out, long long v) {
  unsigned long long u = v < 0 ? 0ull - static_cast<unsigned long long>(v)
                               : static_cast<unsigned long long>(v);
  if (v < 0) *out++ = '-';
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + u % 10u);
    u /= 10u;
  } while (u != 0u);
  while (n > 0) *out++ = tmp[--n];
  *out = '\0';
  return out;
}

// Writes v with `digits` significant digits (1..18) in the style of printf("%.*g"): fixed
// notation when the decimal exponent is in [-4, digits), scientific otherwise, trailing zeros
// removed. "nan", "inf", "-inf". Arithmetic in double (soft-float on an M4, only used to print):
// correctly rounded (ties to even, as glibc's printf) for float inputs; doubles with more
// than 15-16 significant digits or huge exponents may differ from printf in the last digit.
// Returns a pointer to the terminating NUL.
inline char* format_float(char* out, double v, int digits = 9) {
  if (digits < 1) digits = 1;
  if (digits > 18) digits = 18;
  if (v != v) {
    const char* s = "nan";
    while (*s) *out++ = *s++;
    *out = '\0';
    return out;
  }
  if (v < 0.0 || (v == 0.0 && 1.0 / v < 0.0)) {
    *out++ = '-';
    v = -v;
  }
  if (v > 1.7976931348623157e308) {
    const char* s = "inf";
    while (*s) *out++ = *s++;
    *out = '\0';
    return out;
  }

  // Decimal exponent e and mantissa m in [1, 10) with v = m * 10^e, scaling by exact powers of ten.
  static constexpr double pow10_big[] = {1e1, 1e2, 1e4, 1e8, 1e16, 1e32, 1e64, 1e128, 1e256};
  int e = 0;
  double m = v;
  if (m != 0.0) {
    if (m >= 10.0) {
      for (int k = 8; k >= 0; --k) {
        if (m >= pow10_big[k]) {
          m /= pow10_big[k];
          e += 1 << k;
        }
      }
    } else if (m < 1.0) {
      // Multiply up first (avoids subnormal trouble), then at most one step back.
      for (int k = 8; k >= 0; --k) {
        if (m * pow10_big[k] < 10.0) {
          m *= pow10_big[k];
          e -= 1 << k;
        }
      }
      if (m < 1.0) {
        m *= 10.0;
        e -= 1;
      }
    }
  }

  // The `digits` significant digits: D = round(v * 10^(digits-1-e)), ties to even. The power of
  // ten is exact up to 10^22, so for float inputs the product is exact or rounded once.
  unsigned long long scale = 1;  // 10^(digits-1)
  for (int i = 1; i < digits; ++i) scale *= 10u;
  unsigned long long d = 0;
  if (m != 0.0) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      const int k = digits - 1 - e;
      double x = v;
      int ak = k < 0 ? -k : k;
      if (ak <= 22) {
        double p = 1.0;
        for (int b = 0; b < 5; ++b)
          if (ak & (1 << b)) p *= pow10_big[b];
        x = k < 0 ? x / p : x * p;
      } else {
        for (int b = 8; b >= 0; --b) {
          if (ak & (1 << b)) {
            if (k < 0) x /= pow10_big[b];
            else x *= pow10_big[b];
          }
        }
      }
      d = static_cast<unsigned long long>(x);
      const double frac = x - static_cast<double>(d);
      if (frac > 0.5 || (frac == 0.5 && (d & 1u) != 0u)) ++d;
      if (d >= scale * 10u) {  // e was one too small, or rounding carried (9.99.. -> 10.0)
        if (x >= static_cast<double>(scale) * 10.0) {
          ++e;
          continue;
        }
        d /= 10u;
        ++e;
      } else if (d < scale) {  // e was one too large
        --e;
        continue;
      }
      break;
    }
  }
  char ds[20];  // the digits of d, most significant first
  for (int i = digits - 1; i >= 0; --i) {
    ds[i] = static_cast<char>('0' + d % 10u);
    d /= 10u;
  }
  int nd = digits;  // significant digits kept after removing trailing zeros
  while (nd > 1 && ds[nd - 1] == '0') --nd;
  if (m == 0.0) e = 0;

  if (e < -4 || e >= digits) {  // scientific: d.ddde+XX
    *out++ = ds[0];
    if (nd > 1) {
      *out++ = '.';
      for (int i = 1; i < nd; ++i) *out++ = ds[i];
    }
    *out++ = 'e';
    *out++ = e < 0 ? '-' : '+';
    int ae = e < 0 ? -e : e;
    if (ae < 10) *out++ = '0';
    return format_int(out, ae);
  }
  if (e < 0) {  // 0.000ddd
    *out++ = '0';
    *out++ = '.';
    for (int i = -1; i > e; --i) *out++ = '0';
    for (int i = 0; i < nd; ++i) *out++ = ds[i];
  } else {  // ddd.ddd
    for (int i = 0; i <= e; ++i) *out++ = i < nd ? ds[i] : '0';
    if (nd > e + 1) {
      *out++ = '.';
      for (int i = e + 1; i < nd; ++i) *out++ = ds[i];
    }
  }
  *out = '\0';
  return out;
}

}  // namespace tinyfmt

#if defined(__arm__)
namespace semihosting {

enum : int {
  sys_write0 = 0x04,
  sys_exit = 0x18,
  sys_exit_extended = 0x20,
};
inline constexpr std::uint32_t adp_stopped_application_exit = 0x20026;

// One semihosting call: r0 = operation, r1 = argument; returns r0.
inline int call(int operation, const void* argument) {
  register int r0 asm("r0") = operation;
  register const void* r1 asm("r1") = argument;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

inline void write0(const char* text) { call(sys_write0, text); }

// Ends the program; the host (QEMU) exits with `status` (mod 256).
[[noreturn]] inline void exit(int status) {
  const std::uint32_t block[2] = {adp_stopped_application_exit, static_cast<std::uint32_t>(status)};
  call(sys_exit_extended, block);
  // Only reached if the host ignored the request (no semihosting support for it).
  for (;;) asm volatile("bkpt 0");
}

inline void write_int(long long v) {
  char buf[tinyfmt::int_buffer_size];
  tinyfmt::format_int(buf, v);
  write0(buf);
}

inline void write_float(double v, int digits = 9) {
  char buf[tinyfmt::float_buffer_size];
  tinyfmt::format_float(buf, v, digits);
  write0(buf);
}

}  // namespace semihosting
#endif
