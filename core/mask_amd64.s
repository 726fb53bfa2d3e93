#include "textflag.h"

// func maskBlocksSSE2(b []byte, k uint32)
// b's length is a multiple of 64.
TEXT ·maskBlocksSSE2(SB), NOSPLIT, $0-28
	MOVQ b_base+0(FP), DI
	MOVQ b_len+8(FP), CX
	MOVL k+24(FP), AX
	// Repeat the 32-bit key four times across X0.
	MOVQ AX, X0
	PSHUFD $0, X0, X0
	SHRQ $6, CX
	JZ   done

loop:
	MOVOU 0(DI), X1
	MOVOU 16(DI), X2
	MOVOU 32(DI), X3
	MOVOU 48(DI), X4
	PXOR  X0, X1
	PXOR  X0, X2
	PXOR  X0, X3
	PXOR  X0, X4
	MOVOU X1, 0(DI)
	MOVOU X2, 16(DI)
	MOVOU X3, 32(DI)
	MOVOU X4, 48(DI)
	ADDQ  $64, DI
	DECQ  CX
	JNZ   loop

done:
	RET

// func maskBlocksAVX2(b []byte, k uint32)
// b's length is a multiple of 64.
TEXT ·maskBlocksAVX2(SB), NOSPLIT, $0-28
	MOVQ b_base+0(FP), DI
	MOVQ b_len+8(FP), CX
	MOVL k+24(FP), AX
	MOVQ AX, X0
	VPBROADCASTD X0, Y0
	SHRQ $6, CX
	JZ   avxdone

avxloop:
	VPXOR 0(DI), Y0, Y1
	VPXOR 32(DI), Y0, Y2
	VMOVDQU Y1, 0(DI)
	VMOVDQU Y2, 32(DI)
	ADDQ  $64, DI
	DECQ  CX
	JNZ   avxloop

avxdone:
	VZEROUPPER
	RET

// func cpuHasAVX2() bool
TEXT ·cpuHasAVX2(SB), NOSPLIT, $0-1
	// CPUID.1:ECX: OSXSAVE (bit 27) and AVX (bit 28).
	MOVL $1, AX
	XORL CX, CX
	CPUID
	MOVL CX, R8
	ANDL $0x18000000, R8
	CMPL R8, $0x18000000
	JNE  no
	// The OS saves the YMM registers: XCR0 bits 1 and 2.
	XORL CX, CX
	XGETBV
	ANDL $6, AX
	CMPL AX, $6
	JNE  no
	// CPUID.7.0:EBX bit 5: AVX2.
	MOVL $7, AX
	XORL CX, CX
	CPUID
	BTL  $5, BX
	JCC  no
	MOVB $1, ret+0(FP)
	RET
no:
	MOVB $0, ret+0(FP)
	RET
