//! `deployment.zip`: the `bootstrap` binary, as Lambda's `provided.al2023` runtime expects.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use zip::write::SimpleFileOptions;

/// Writes `zip_path` with one entry, `bootstrap`: executable (0755) and dated 1980-01-01, so
/// that the same binary always makes the same zip (and Terraform's `source_code_hash` and
/// CloudFormation see no change when there is none). Returns the zip's size.
pub fn write_bootstrap_zip(binary: &Path, zip_path: &Path) -> anyhow::Result<u64> {
    let bytes =
        std::fs::read(binary).with_context(|| format!("cannot read {}", binary.display()))?;
    let file = std::fs::File::create(zip_path)
        .with_context(|| format!("cannot create {}", zip_path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755)
        .last_modified_time(zip::DateTime::default());
    zip.start_file("bootstrap", options)
        .context("cannot start the zip entry")?;
    zip.write_all(&bytes)
        .context("cannot write the zip entry")?;
    zip.finish().context("cannot finish the zip")?;
    Ok(std::fs::metadata(zip_path).map(|m| m.len()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bootstrap_is_executable_and_the_zip_reproducible() {
        let dir = std::env::temp_dir().join(format!("chalice-bundle-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let binary = dir.join("app");
        std::fs::write(&binary, b"\x7fELF pretend binary").expect("write");
        let (first, second) = (dir.join("a.zip"), dir.join("b.zip"));
        write_bootstrap_zip(&binary, &first).expect("zip");
        write_bootstrap_zip(&binary, &second).expect("zip");
        assert_eq!(
            std::fs::read(&first).expect("read"),
            std::fs::read(&second).expect("read")
        );

        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(&first).expect("open")).expect("a zip");
        assert_eq!(archive.len(), 1);
        let mut entry = archive.by_name("bootstrap").expect("bootstrap entry");
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
        let mut contents = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut contents).expect("read entry");
        assert_eq!(contents, b"\x7fELF pretend binary");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
