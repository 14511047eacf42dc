//! ketasim binary.
fn main() {}
