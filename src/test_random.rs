//! A seeded xorshift64 for the tests' generated inputs: the same seed gives the same
//! inputs, so a failure repeats; no crate needed.

pub(crate) struct Xorshift(u64);

impl Xorshift {
    /// A generator starting from `seed` (not zero).
    pub(crate) fn new(seed: u64) -> Xorshift {
        Xorshift(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `bound` (0 when `bound` is 0).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound.max(1) as u64) as usize
    }
}
