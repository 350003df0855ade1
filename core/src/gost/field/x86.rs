//! x86-64 products modulo 2^256 − c (c < 2³¹) with MULX (BMI2) and the two carry chains of
//! ADCX/ADOX (ADX): the 4×4-limb product (or square) and its fold, in inline assembly.
//!
//! Straight-line code: no branch and no memory address depends on the values (the only
//! selection, the final subtraction of m, is four `cmov`s). [`Token`] proves the CPU has both
//! extensions; [`super::Modulus::new_field`] asks for one once, so every call runs the same
//! code path. The portable products in `field/mod.rs` are the reference the tests hold these
//! to.

use std::arch::asm;

/// Proof that the CPU has BMI2 and ADX: only [`Token::detect`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token(());

impl Token {
    /// A token if the CPU has BMI2 (MULX) and ADX (ADCX, ADOX). Valgrind 3.19 clears the ADX
    /// bit of the CPUID it emulates, so under valgrind this is `None` and the portable code
    /// runs.
    pub(super) fn detect() -> Option<Token> {
        (is_x86_feature_detected!("bmi2") && is_x86_feature_detected!("adx")).then_some(Token(()))
    }
}

/// (t₄..t₇)·2²⁵⁶ + (t₀..t₃) mod 2²⁵⁶ − c, fully reduced: two folds with 2²⁵⁶ ≡ c, then the
/// subtraction of m as the addition of c (whose carry says the value is ≥ m), as
/// `fold_reduce` does.
#[inline(always)]
fn fold4(_cpu: Token, t: [u64; 8], c: u64) -> [u64; 4] {
    let [mut t0, mut t1, mut t2, mut t3, t4, t5, t6, t7] = t;
    // SAFETY: a `Token` exists only if the CPU has BMI2 and ADX, the only extensions used;
    // the block reads and writes registers only.
    #[allow(unsafe_code)]
    unsafe {
        asm!(
            // s = lo + c·hi: the low words of c·hᵢ on the CF chain, the high words on OF
            "xor {lo:e}, {lo:e}",
            "mulx {hi}, {lo}, {t4}",
            "adcx {t0}, {lo}",
            "adox {t1}, {hi}",
            "mulx {hi}, {lo}, {t5}",
            "adcx {t1}, {lo}",
            "adox {t2}, {hi}",
            "mulx {hi}, {lo}, {t6}",
            "adcx {t2}, {lo}",
            "adox {t3}, {hi}",
            "mulx {t4}, {lo}, {t7}",
            "adcx {t3}, {lo}",
            "mov {lo:e}, 0",
            "adcx {t4}, {lo}",
            "adox {t4}, {lo}",
            // top word w ≤ c: s += w·c (< 2⁶²); on a carry s wrapped past 2²⁵⁶ ≡ c and is now
            // below 2⁶², so adding c to its low word cannot carry
            "imul {t4}, rdx",
            "add {t0}, {t4}",
            "adc {t1}, 0",
            "adc {t2}, 0",
            "adc {t3}, 0",
            "sbb {t4}, {t4}",
            "and {t4}, rdx",
            "add {t0}, {t4}",
            // s < 2²⁵⁶: s ≥ m exactly when s + c carries, and then s + c − 2²⁵⁶ = s − m
            "mov {t4}, {t0}",
            "mov {t5}, {t1}",
            "mov {t6}, {t2}",
            "mov {t7}, {t3}",
            "add {t4}, rdx",
            "adc {t5}, 0",
            "adc {t6}, 0",
            "adc {t7}, 0",
            "cmovc {t0}, {t4}",
            "cmovc {t1}, {t5}",
            "cmovc {t2}, {t6}",
            "cmovc {t3}, {t7}",
            t0 = inout(reg) t0,
            t1 = inout(reg) t1,
            t2 = inout(reg) t2,
            t3 = inout(reg) t3,
            t4 = inout(reg) t4 => _,
            t5 = inout(reg) t5 => _,
            t6 = inout(reg) t6 => _,
            t7 = inout(reg) t7 => _,
            hi = out(reg) _,
            lo = out(reg) _,
            in("rdx") c,
            options(pure, nomem, nostack),
        );
    }
    [t0, t1, t2, t3]
}

/// a·b mod 2²⁵⁶ − c for a, b < 2²⁵⁶ (c < 2³¹), fully reduced.
#[inline(always)]
pub(super) fn mul_fold4(cpu: Token, a: &[u64; 4], b: &[u64; 4], c: u64) -> [u64; 4] {
    let (t0, t1, t2, t3, t4, t5, t6, t7): (u64, u64, u64, u64, u64, u64, u64, u64);
    // SAFETY: a `Token` exists only if the CPU has BMI2 and ADX, the only extensions used; the
    // block reads the 4 limbs behind each of the references `a` and `b` and writes registers
    // only.
    #[allow(unsafe_code)]
    unsafe {
        asm!(
            // row 0: a·b₀ into t₀..t₄ (one carry chain)
            "mov rdx, [{b}]",
            "mulx {t1}, {t0}, [{a}]",
            "mulx {t2}, {lo}, [{a} + 8]",
            "add {t1}, {lo}",
            "mulx {t3}, {lo}, [{a} + 16]",
            "adc {t2}, {lo}",
            "mulx {t4}, {lo}, [{a} + 24]",
            "adc {t3}, {lo}",
            "adc {t4}, 0",
            // row i = 1..3: a·bᵢ into tᵢ..tᵢ₊₄, the low words on OF, the high words on CF
            // (the xor clears both flags and the new top word)
            "mov rdx, [{b} + 8]",
            "xor {t5:e}, {t5:e}",
            "mulx {hi}, {lo}, [{a}]",
            "adox {t1}, {lo}",
            "adcx {t2}, {hi}",
            "mulx {hi}, {lo}, [{a} + 8]",
            "adox {t2}, {lo}",
            "adcx {t3}, {hi}",
            "mulx {hi}, {lo}, [{a} + 16]",
            "adox {t3}, {lo}",
            "adcx {t4}, {hi}",
            "mulx {hi}, {lo}, [{a} + 24]",
            "adox {t4}, {lo}",
            "adcx {t5}, {hi}",
            "mov {lo:e}, 0",
            "adox {t5}, {lo}",
            "mov rdx, [{b} + 16]",
            "xor {t6:e}, {t6:e}",
            "mulx {hi}, {lo}, [{a}]",
            "adox {t2}, {lo}",
            "adcx {t3}, {hi}",
            "mulx {hi}, {lo}, [{a} + 8]",
            "adox {t3}, {lo}",
            "adcx {t4}, {hi}",
            "mulx {hi}, {lo}, [{a} + 16]",
            "adox {t4}, {lo}",
            "adcx {t5}, {hi}",
            "mulx {hi}, {lo}, [{a} + 24]",
            "adox {t5}, {lo}",
            "adcx {t6}, {hi}",
            "mov {lo:e}, 0",
            "adox {t6}, {lo}",
            "mov rdx, [{b} + 24]",
            "xor {t7:e}, {t7:e}",
            "mulx {hi}, {lo}, [{a}]",
            "adox {t3}, {lo}",
            "adcx {t4}, {hi}",
            "mulx {hi}, {lo}, [{a} + 8]",
            "adox {t4}, {lo}",
            "adcx {t5}, {hi}",
            "mulx {hi}, {lo}, [{a} + 16]",
            "adox {t5}, {lo}",
            "adcx {t6}, {hi}",
            "mulx {hi}, {lo}, [{a} + 24]",
            "adox {t6}, {lo}",
            "adcx {t7}, {hi}",
            "mov {lo:e}, 0",
            "adox {t7}, {lo}",
            a = in(reg) a.as_ptr(),
            b = in(reg) b.as_ptr(),
            t0 = out(reg) t0,
            t1 = out(reg) t1,
            t2 = out(reg) t2,
            t3 = out(reg) t3,
            t4 = out(reg) t4,
            t5 = out(reg) t5,
            t6 = out(reg) t6,
            t7 = out(reg) t7,
            hi = out(reg) _,
            lo = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    fold4(cpu, [t0, t1, t2, t3, t4, t5, t6, t7], c)
}

/// a² mod 2²⁵⁶ − c for a < 2²⁵⁶ (c < 2³¹), fully reduced: the six cross products once,
/// doubled, plus the four squares.
#[inline(always)]
pub(super) fn sqr_fold4(cpu: Token, a: &[u64; 4], c: u64) -> [u64; 4] {
    let (t0, t1, t2, t3, t4, t5, t6, t7): (u64, u64, u64, u64, u64, u64, u64, u64);
    // SAFETY: a `Token` exists only if the CPU has BMI2 and ADX, the only extensions used; the
    // block reads the 4 limbs behind the reference `a` and writes registers only.
    #[allow(unsafe_code)]
    unsafe {
        asm!(
            // cross products aᵢaⱼ (i < j) into t₁..t₆
            "mov rdx, [{a}]",
            "mulx {t2}, {t1}, [{a} + 8]",
            "mulx {t3}, {lo}, [{a} + 16]",
            "add {t2}, {lo}",
            "mulx {t4}, {lo}, [{a} + 24]",
            "adc {t3}, {lo}",
            "adc {t4}, 0",
            "mov rdx, [{a} + 8]",
            "xor {t5:e}, {t5:e}",
            "mulx {hi}, {lo}, [{a} + 16]",
            "adcx {t3}, {lo}",
            "adox {t4}, {hi}",
            "mulx {hi}, {lo}, [{a} + 24]",
            "adcx {t4}, {lo}",
            "adox {t5}, {hi}",
            "mov rdx, [{a} + 16]",
            "mulx {t6}, {lo}, [{a} + 24]",
            "adcx {t5}, {lo}",
            "mov {lo:e}, 0",
            "adcx {t6}, {lo}",
            "adox {t6}, {lo}",
            // doubled on CF, the squares aᵢ² added on OF (t₇ starts at zero)
            "xor {t7:e}, {t7:e}",
            "mov rdx, [{a}]",
            "mulx {hi}, {t0}, rdx",
            "adcx {t1}, {t1}",
            "adox {t1}, {hi}",
            "mov rdx, [{a} + 8]",
            "mulx {hi}, {lo}, rdx",
            "adcx {t2}, {t2}",
            "adox {t2}, {lo}",
            "adcx {t3}, {t3}",
            "adox {t3}, {hi}",
            "mov rdx, [{a} + 16]",
            "mulx {hi}, {lo}, rdx",
            "adcx {t4}, {t4}",
            "adox {t4}, {lo}",
            "adcx {t5}, {t5}",
            "adox {t5}, {hi}",
            "mov rdx, [{a} + 24]",
            "mulx {hi}, {lo}, rdx",
            "adcx {t6}, {t6}",
            "adox {t6}, {lo}",
            "adcx {t7}, {t7}",
            "adox {t7}, {hi}",
            a = in(reg) a.as_ptr(),
            t0 = out(reg) t0,
            t1 = out(reg) t1,
            t2 = out(reg) t2,
            t3 = out(reg) t3,
            t4 = out(reg) t4,
            t5 = out(reg) t5,
            t6 = out(reg) t6,
            t7 = out(reg) t7,
            hi = out(reg) _,
            lo = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    fold4(cpu, [t0, t1, t2, t3, t4, t5, t6, t7], c)
}
