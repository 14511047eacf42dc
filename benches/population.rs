//! Placeholder.
#![allow(missing_docs)]
use criterion::{criterion_group, criterion_main, Criterion};
fn stub(_c: &mut Criterion) {}
criterion_group!(benches, stub);
criterion_main!(benches);
