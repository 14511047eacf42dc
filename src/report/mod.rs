//! Writers for what people read: terminal tables (and, later, CSV and plots). Each writer
//! is pure: it returns a `String` or bytes, or writes to any `impl Write`.

pub mod table;
