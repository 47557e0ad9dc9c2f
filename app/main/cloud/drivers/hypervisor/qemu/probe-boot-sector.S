/* Stackling accelerator probe (accelerator.ts embeds the assembled bytes as PROBE_BOOT_SECTOR_HEX).
   A 512-byte boot sector: real mode -> 32-bit protected mode, then a fixed workload (write 8 MiB, read-modify-write
   them, 10 M loop iterations), progress lines on the debugcon port 0x402, then isa-debug-exit (QEMU exits).
   Rebuild:  as --32 -o p.o probe-boot-sector.S && ld -m elf_i386 -Ttext=0x7c00 --oformat binary -o p.bin p.o
             xxd -p p.bin | tr -d '\n'          (binutils; the hex in accelerator.ts ends before the zero padding) */
.code16
.globl _start
_start:
  cli
  xor %ax,%ax
  mov %ax,%ds
  mov %ax,%ss
  mov $0x7c00,%sp
  lgdt gdtr
  mov %cr0,%eax
  or $1,%al
  mov %eax,%cr0
  ljmp $0x08,$pm
.code32
pm:
  mov $0x10,%ax
  mov %ax,%ds
  mov %ax,%es
  mov %ax,%ss
  mov $0x7c00,%esp
  mov $start_msg,%esi
  call puts
  mov $0x100000,%edi
1: mov %edi,(%edi)
  add $4,%edi
  cmp $0x900000,%edi
  jne 1b
  mov $0x100000,%edi
2: addl $1,(%edi)
  add $4,%edi
  cmp $0x900000,%edi
  jne 2b
  mov $10000000,%ecx
3: dec %ecx
  jnz 3b
  mov $done_msg,%esi
  call puts
  /* isa-debug-exit at 0xf4: QEMU exits (status 1), so an orphaned probe never lingers */
  mov $0xf4,%dx
  xor %al,%al
  out %al,%dx
4: hlt
  jmp 4b
puts:
  mov $0x402,%dx
5: lodsb
  test %al,%al
  jz 6f
  out %al,%dx
  jmp 5b
6: ret
start_msg: .asciz "\nSTACKLING-PROBE-START\n"
done_msg: .asciz "STACKLING-PROBE-DONE\n"
.p2align 3
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff
  .quad 0x00cf92000000ffff
gdtr:
  .word gdtr - gdt - 1
  .long gdt
.org 510
.byte 0x55, 0xaa
