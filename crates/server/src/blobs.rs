//! Files of documents, stored by the SHA-256 of their content in a local directory
//! (`<data>/blobs/ab/cd/abcd…`). A file is written to a temporary name, flushed to disk, renamed into place and
//! its directory flushed, all before the transaction that refers to it commits: a crash can leave an unreferenced
//! file behind, never a reference to a missing or partial one. The same content is stored once.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

impl Blobs {
    /// Opens (creating if needed) the blob directory.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Blobs> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Blobs { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The hex SHA-256 of `bytes`.
    pub fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    fn path_of(&self, sha: &str) -> Option<PathBuf> {
        let ok = sha.len() == 64
            && sha
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        ok.then(|| self.root.join(&sha[0..2]).join(&sha[2..4]).join(sha))
    }

    /// Stores the content durably and answers its hex SHA-256.
    pub async fn put(&self, bytes: axum::body::Bytes) -> std::io::Result<String> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.put_blocking(&bytes))
            .await
            .map_err(std::io::Error::other)?
    }

    pub fn put_blocking(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = Blobs::digest(bytes);
        let path = self.path_of(&sha).expect("a digest is a valid name");
        if let Ok(m) = std::fs::metadata(&path)
            && m.len() == bytes.len() as u64
        {
            return Ok(sha);
        }
        let dir = path.parent().expect("blob paths have a parent");
        std::fs::create_dir_all(dir)?;
        let tmp = self.root.join("tmp").join(format!(
            "{sha}.{}.{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(sha)
    }

    /// The content stored under `sha`, checked against it.
    pub async fn get(&self, sha: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path_of(sha).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "bad blob name")
        })?;
        let bytes = tokio::fs::read(&path).await?;
        if Blobs::digest(&bytes) != sha {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("tệp {sha} bị hỏng: mã băm không khớp"),
            ));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_once_and_checks_content() {
        let dir = tempfile::tempdir().unwrap();
        let b = Blobs::open(dir.path()).unwrap();
        let sha = b
            .put(axum::body::Bytes::from_static(b"%PDF-1.4 test"))
            .await
            .unwrap();
        assert_eq!(sha, Blobs::digest(b"%PDF-1.4 test"));
        assert_eq!(
            b.put(axum::body::Bytes::from_static(b"%PDF-1.4 test"))
                .await
                .unwrap(),
            sha
        );
        assert_eq!(b.get(&sha).await.unwrap(), b"%PDF-1.4 test");
        // A file changed on disk is detected.
        std::fs::write(b.path_of(&sha).unwrap(), b"tampered").unwrap();
        assert!(b.get(&sha).await.is_err());
        assert!(b.get("../../etc/passwd").await.is_err());
    }
}
