// Startup code shared by staticnet's Cortex-M boards: Cortex-M4F on MPS2 AN386, Cortex-M7 on
// MPS2 AN500, Cortex-M55 on MPS3 AN547 (qemu-system-arm -M mps2-an386 | mps2-an500 | mps3-an547).
// Link it with the board's linker script (targets/<board>/*.ld, which includes
// staticnet_sections.ld from this directory) and -nostartfiles. No heap, no exceptions, no libc
// stdio.
//
//  - vector table in .isr_vector: initial SP = _estack (from the board's linker script),
//    Reset_Handler, and a fault handler for every system exception;
//  - Reset_Handler: enable the FPU (CPACR CP10/CP11 full access; on the M55 this also enables
//    Helium/MVE), on Armv8-M set the stack limit MSPLIM = __stack_limit, enable the MemManage/
//    BusFault/UsageFault exceptions (else they escalate to HardFault), copy .data from its load
//    address, zero .bss, run __preinit_array/__init_array, call main(), and end the program with
//    main's status through semihosting (SYS_EXIT_EXTENDED);
//  - faults print "FAULT: <exception> ..." with the stacked PC/LR and the fault status registers
//    (and "stack overflow" for an Armv8-M stack-limit fault), then exit with status
//    fault_exit_status (3).
// Static destructors are never run (the program ends in Reset_Handler), so atexit() is a no-op
// here: that also keeps newlib's atexit machinery (and any allocation in it) out of the image.
#include <cstddef>
#include <cstdint>

#include "semihosting.hpp"

extern "C" {
// From the linker script (the board's script and staticnet_sections.ld). __stack_limit is
// referenced from Reset_Handler's assembly on Armv8-M.
extern std::uint32_t _estack;
extern std::uint32_t _sidata, _sdata, _edata, _sbss, _ebss;
extern void (*__preinit_array_start[])();
extern void (*__preinit_array_end[])();
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();

// main() itself, under another name: ISO C++ does not allow the program to call main.
int staticnet_application_main() asm("main");
[[noreturn]] void Reset_Handler();
[[noreturn]] void Fault_Handler();
[[noreturn]] void staticnet_fault_report(const std::uint32_t* frame, std::uint32_t exc_return);

// With -nostartfiles there is no crtbegin/crti: supply what the compiler and libc may refer to.
void* __dso_handle = nullptr;
[[gnu::weak]] void _init() {}
[[gnu::weak]] void _fini() {}
}

namespace {

inline constexpr int fault_exit_status = 3;

// Armv8-M Mainline (Cortex-M33/M55/M85) has stack limit registers (MSPLIM/PSPLIM); Armv7-M
// (Cortex-M4/M7) has not.
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
#define STATICNET_HAS_STACK_LIMIT 1
#else
#define STATICNET_HAS_STACK_LIMIT 0
#endif

volatile std::uint32_t& reg(std::uintptr_t address) {
  return *reinterpret_cast<volatile std::uint32_t*>(address);
}

[[noreturn, gnu::used]] void reset_continue() {
  // Report MemManage, BusFault and UsageFault (stack overflow, division by zero, undefined
  // instruction...) as themselves instead of escalating them to HardFault: SHCSR enable bits.
  reg(0xE000ED24) |= 0x7u << 16;

  // .data: copy initial values from FLASH. .bss: zero. (Word loops; the linker script aligns both.)
  const std::uint32_t* src = &_sidata;
  for (std::uint32_t* dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (std::uint32_t* dst = &_sbss; dst < &_ebss;) *dst++ = 0u;

  for (auto f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (auto f = __init_array_start; f < __init_array_end; ++f) (*f)();

  semihosting::exit(staticnet_application_main());
}

void write_hex(std::uint32_t v) {
  char buf[11] = {'0', 'x'};
  for (int i = 0; i < 8; ++i) {
    const std::uint32_t nibble = (v >> (28 - 4 * i)) & 0xFu;
    buf[2 + i] = static_cast<char>(nibble < 10u ? '0' + nibble : 'a' + nibble - 10u);
  }
  buf[10] = '\0';
  semihosting::write0(buf);
}

const char* exception_name(std::uint32_t number) {
  switch (number) {
    case 2: return "NMI";
    case 3: return "HardFault";
    case 4: return "MemManage";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    case 7: return "SecureFault";
    case 11: return "SVCall";
    case 12: return "DebugMonitor";
    case 14: return "PendSV";
    case 15: return "SysTick";
    default: return "unexpected exception/IRQ";
  }
}

// Cortex-M vector table: initial stack pointer, then 15 system exception handlers.
// (No IRQ entries: nothing here enables an interrupt.)
struct VectorTable {
  std::uint32_t* initial_sp;
  void (*handlers[15])();
};

[[gnu::section(".isr_vector"), gnu::used]] const VectorTable vector_table = {
    &_estack,
    {
        Reset_Handler,  // 1  Reset
        Fault_Handler,  // 2  NMI
        Fault_Handler,  // 3  HardFault
        Fault_Handler,  // 4  MemManage
        Fault_Handler,  // 5  BusFault
        Fault_Handler,  // 6  UsageFault
        Fault_Handler,  // 7  SecureFault (Armv8-M with the Security Extension; else reserved)
        nullptr,        // 8  reserved
        nullptr,        // 9  reserved
        nullptr,        // 10 reserved
        Fault_Handler,  // 11 SVCall
        Fault_Handler,  // 12 DebugMonitor
        nullptr,        // 13 reserved
        Fault_Handler,  // 14 PendSV
        Fault_Handler,  // 15 SysTick
    }};

}  // namespace

extern "C" {

// Naked: the FPU must be enabled before any compiler-generated code could touch an FP register,
// and the stack limit set before anything is pushed.
[[gnu::naked]] void Reset_Handler() {
  asm volatile(
#if STATICNET_HAS_STACK_LIMIT
      "ldr r0, =__stack_limit   \n"
      "msr msplim, r0           \n"
#endif
      "ldr r0, =0xE000ED88      \n"  // CPACR
      "ldr r1, [r0]             \n"
      "orr r1, r1, #(0xF << 20) \n"  // CP10, CP11: full access
      "str r1, [r0]             \n"
      "dsb                      \n"
      "isb                      \n"
      "b %c0                    \n" ::"i"(reset_continue));
}

// Naked: find the exception stack frame (MSP or PSP, from EXC_RETURN in lr) for the report.
// On Armv8-M the stack limit is lifted first: after a stack overflow SP sits at the limit, and
// the report needs some stack (the linker script leaves a guard below the limit for it).
[[gnu::naked]] void Fault_Handler() {
  asm volatile(
#if STATICNET_HAS_STACK_LIMIT
      "movs r0, #0   \n"
      "msr msplim, r0\n"
#endif
      "tst lr, #4    \n"
      "ite eq        \n"
      "mrseq r0, msp \n"
      "mrsne r0, psp \n"
      "mov r1, lr    \n"
      "b %c0         \n" ::"i"(staticnet_fault_report));
}

[[noreturn]] void staticnet_fault_report(const std::uint32_t* frame, std::uint32_t exc_return) {
  std::uint32_t ipsr;
  asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  const std::uint32_t number = ipsr & 0x1FFu;
  semihosting::write0("\nFAULT: ");
  semihosting::write0(exception_name(number));
  semihosting::write0(" (exception ");
  semihosting::write_int(number);
  semihosting::write0(")\n  pc   = ");
  write_hex(frame[6]);
  semihosting::write0("\n  lr   = ");
  write_hex(frame[5]);
  semihosting::write0("\n  xpsr = ");
  write_hex(frame[7]);
  semihosting::write0("\n  exc_return = ");
  write_hex(exc_return);
  semihosting::write0("\n  CFSR = ");
  write_hex(reg(0xE000ED28));
  semihosting::write0("  HFSR = ");
  write_hex(reg(0xE000ED2C));
  semihosting::write0("  MMFAR = ");
  write_hex(reg(0xE000ED34));
  semihosting::write0("  BFAR = ");
  write_hex(reg(0xE000ED38));
  semihosting::write0("\n");
  if (reg(0xE000ED28) & (1u << 20))  // CFSR.UFSR.STKOF (Armv8-M)
    semihosting::write0("  stack overflow: the stack ran below __stack_limit (MSPLIM); the frame was "
                        "not stacked, so pc/lr/xpsr above are not the faulting ones\n");
  semihosting::exit(fault_exit_status);
}

// newlib's _exit (reached through exit()/abort(), e.g. from a failed assert): report the status.
[[noreturn]] void _exit(int status) { semihosting::exit(status); }

// See the file comment: static destructors are not registered (and never run).
int atexit(void (*)()) { return 0; }

}  // extern "C"
