//! A fixed generator (xorshift64): the same filler text on every run, for the story tests and
//! the storing benches alike.

pub struct Xorshift(u64);

impl Default for Xorshift {
    fn default() -> Self {
        Xorshift(0x9E37_79B9_7F4A_7C15)
    }
}

impl Xorshift {
    /// The next number of the sequence.
    pub fn draw(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
