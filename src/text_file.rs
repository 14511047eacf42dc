//! Reading an input file (scenario, model, dataset) as UTF-8 text: a file that is not
//! UTF-8 is the user's input at fault, so it is an [`InputError`] at the line and column
//! of the first byte that is not, not an I/O error.

use crate::error::{Error, InputError, Locator, Result};
use std::path::Path;

/// The text of the file at `path`.
pub fn read(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|reason| Error::Io {
        path: path.to_path_buf(),
        reason,
    })?;
    text(path, bytes)
}

/// `bytes` as text, or an error at the first byte that is not UTF-8.
pub fn text(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = std::str::from_utf8(&bytes[..valid]).expect("valid up to here");
        let at = Locator { path, text: prefix };
        let span = at.span(valid);
        InputError::new(
            span,
            format!("byte 0x{:02X}, which is not UTF-8 text", bytes[valid]),
            "a UTF-8 text file",
        )
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_located() {
        let e = text(Path::new("s.toml"), b"a = 1\nname = \"\xff\"\n".to_vec()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.toml:2:9: byte 0xFF, which is not UTF-8 text; expected a UTF-8 text file"
        );
        assert!(e.is_invalid_input());
    }
}
