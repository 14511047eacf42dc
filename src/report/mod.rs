//! Writers for what people read: terminal tables, CSV files and plots. Each writer is
//! pure: it returns a `String` or bytes, or writes to any `impl Write`; the caller picks
//! the file.

pub mod csv;
pub mod document;
pub mod effect;
pub mod explain;
pub mod figure;
pub mod literature;
pub mod literature_effects;
pub mod literature_plot;
pub mod observation_rows;
pub mod plot;
pub mod population;
pub mod summary;
pub mod table;
pub mod tci;
