//! Files of documents, stored by the SHA-256 of their content in a local directory
//! (`<data>/blobs/ab/cd/abcd…`). A file is written to a temporary name, flushed to disk, renamed into place and
//! its directory flushed, all before the transaction that refers to it commits: a crash can leave an unreferenced
//! file behind, never a reference to a missing or partial one. The same content is stored once.
//!
//! Files left behind that way (a request that failed after storing its files, a crash) are removed by
//! [`Blobs::sweep`], which `serve` runs in the background: a file is removed only when no document refers to it
//! and it has not been written or stored again for a day, so a request storing it now cannot lose it.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
    /// Held shared while storing, exclusively while the sweep checks and removes a file.
    sweep_lock: std::sync::Arc<std::sync::RwLock<()>>,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Stored files old enough to be considered.
    pub checked: u64,
    pub removed: u64,
    pub bytes_freed: u64,
    /// Temporary files of writes that never finished.
    pub temporary_removed: u64,
}

/// A sweep that would remove more than this share of the old files (and more than [`SWEEP_SUSPICIOUS_MIN`])
/// removes nothing: the database is probably not the one these files belong to (a wrong or empty
/// `--database-url`), and files once removed are gone.
pub const SWEEP_SUSPICIOUS_SHARE: f64 = 0.1;
pub const SWEEP_SUSPICIOUS_MIN: u64 = 20;

impl Blobs {
    /// Opens (creating if needed) the blob directory.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Blobs> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Blobs {
            root,
            sweep_lock: Default::default(),
        })
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
        let _storing = self.sweep_lock.read().unwrap_or_else(|e| e.into_inner());
        if let Ok(m) = std::fs::metadata(&path)
            && m.len() == bytes.len() as u64
        {
            // Stored again: the sweep counts its day from now. (A file that cannot be touched — read-only after a
            // restore — is written anew below instead.)
            let touched = std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            if touched.is_ok() {
                return Ok(sha);
            }
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

impl Blobs {
    /// Removes the stored files no document refers to (`referenced` answers which of the hashes it is given are
    /// referred to) that were last written or stored more than `age` ago, and temporary files older than `age`.
    pub fn sweep(
        &self,
        age: std::time::Duration,
        mut referenced: impl FnMut(&[String]) -> std::io::Result<Vec<String>>,
    ) -> std::io::Result<SweepReport> {
        let mut report = SweepReport::default();
        let old = |m: &std::fs::Metadata| {
            m.modified()
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|e| e > age)
        };
        for e in std::fs::read_dir(self.root.join("tmp"))? {
            let e = e?;
            if e.metadata().is_ok_and(|m| m.is_file() && old(&m)) {
                std::fs::remove_file(e.path())?;
                report.temporary_removed += 1;
            }
        }
        // Candidates: every stored file older than `age`, in batches; those no document refers to are collected
        // first and removed only if they are few.
        let mut batch: Vec<String> = Vec::new();
        let mut orphans: Vec<String> = Vec::new();
        for a in std::fs::read_dir(&self.root)? {
            let a = a?;
            let name = a.file_name().to_string_lossy().to_string();
            if name.len() != 2 || !a.file_type()?.is_dir() {
                continue;
            }
            for b in std::fs::read_dir(a.path())? {
                let b = b?;
                if !b.file_type()?.is_dir() {
                    continue;
                }
                for f in std::fs::read_dir(b.path())? {
                    let f = f?;
                    let sha = f.file_name().to_string_lossy().to_string();
                    if self.path_of(&sha).as_deref() != Some(f.path().as_path()) {
                        continue;
                    }
                    if f.metadata().is_ok_and(|m| old(&m)) {
                        batch.push(sha);
                        if batch.len() >= 500 {
                            Self::unreferenced(
                                &mut batch,
                                &mut referenced,
                                &mut orphans,
                                &mut report,
                            )?;
                            Self::plausible(&orphans, &report)?;
                        }
                    }
                }
            }
        }
        Self::unreferenced(&mut batch, &mut referenced, &mut orphans, &mut report)?;
        let few = orphans.len() as u64 <= SWEEP_SUSPICIOUS_MIN
            || (orphans.len() as f64) <= SWEEP_SUSPICIOUS_SHARE * report.checked as f64;
        if !few {
            return Err(Self::suspicious(&orphans, &report));
        }
        for sha in orphans {
            let path = self.path_of(&sha).expect("checked when listed");
            // Checked again under the lock: a request storing the same content now has made it young.
            let _sweeping = self.sweep_lock.write().unwrap_or_else(|e| e.into_inner());
            let Ok(m) = std::fs::metadata(&path) else {
                continue;
            };
            if old(&m) {
                match std::fs::remove_file(&path) {
                    Ok(()) => {
                        report.removed += 1;
                        report.bytes_freed += m.len();
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(report)
    }

    /// Moves the batch's hashes no document refers to into `orphans`.
    fn unreferenced(
        batch: &mut Vec<String>,
        referenced: &mut impl FnMut(&[String]) -> std::io::Result<Vec<String>>,
        orphans: &mut Vec<String>,
        report: &mut SweepReport,
    ) -> std::io::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        report.checked += batch.len() as u64;
        let kept: std::collections::HashSet<String> = referenced(batch)?.into_iter().collect();
        orphans.extend(batch.drain(..).filter(|h| !kept.contains(h)));
        Ok(())
    }

    /// Stops early once the orphans are clearly too many (before holding millions of names).
    fn plausible(orphans: &[String], report: &SweepReport) -> std::io::Result<()> {
        if orphans.len() > 1000
            && (orphans.len() as f64) > SWEEP_SUSPICIOUS_SHARE * report.checked as f64
        {
            return Err(Self::suspicious(orphans, report));
        }
        Ok(())
    }

    fn suspicious(orphans: &[String], report: &SweepReport) -> std::io::Error {
        std::io::Error::other(format!(
            "không xóa tệp nào: {} trong {} tệp cũ không có văn bản nào tham chiếu — có lẽ máy chủ đang dùng nhầm cơ sở dữ liệu",
            orphans.len(),
            report.checked
        ))
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

    fn age(b: &Blobs, sha: &str, days: u64) {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86_400);
        std::fs::File::options()
            .write(true)
            .open(b.path_of(sha).unwrap())
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn the_sweep_removes_only_old_files_nobody_refers_to() {
        let dir = tempfile::tempdir().unwrap();
        let b = Blobs::open(dir.path()).unwrap();
        let kept = b.put_blocking(b"%PDF-1.4 referenced").unwrap();
        let orphan = b.put_blocking(b"%PDF-1.4 orphan").unwrap();
        let young = b.put_blocking(b"%PDF-1.4 young orphan").unwrap();
        let again = b.put_blocking(b"%PDF-1.4 stored again").unwrap();
        for sha in [&kept, &orphan, &again] {
            age(&b, sha, 2);
        }
        // Stored again today (a request about to refer to it): its day starts anew.
        assert_eq!(b.put_blocking(b"%PDF-1.4 stored again").unwrap(), again);
        let stale_tmp = dir.path().join("tmp").join("left-by-a-crash");
        std::fs::write(&stale_tmp, b"half").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&stale_tmp)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 86_400))
            .unwrap();
        let mut asked = Vec::new();
        let report = b
            .sweep(std::time::Duration::from_secs(86_400), |hashes| {
                asked.extend(hashes.iter().cloned());
                Ok(hashes.iter().filter(|h| **h == kept).cloned().collect())
            })
            .unwrap();
        assert_eq!(report.checked, 2, "only old files are looked up: {asked:?}");
        assert_eq!(report.removed, 1);
        assert_eq!(report.bytes_freed, b"%PDF-1.4 orphan".len() as u64);
        assert_eq!(report.temporary_removed, 1);
        assert!(!b.path_of(&orphan).unwrap().exists());
        for sha in [&kept, &young, &again] {
            assert!(b.path_of(sha).unwrap().exists());
        }
        assert!(!stale_tmp.exists());
    }

    #[test]
    fn a_sweep_against_the_wrong_database_removes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let b = Blobs::open(dir.path()).unwrap();
        let shas: Vec<String> = (0..30)
            .map(|i| {
                b.put_blocking(format!("%PDF-1.4 file {i}").as_bytes())
                    .unwrap()
            })
            .collect();
        for sha in &shas {
            age(&b, sha, 2);
        }
        // An empty database refers to none of them.
        let err = b
            .sweep(std::time::Duration::from_secs(86_400), |_| Ok(Vec::new()))
            .unwrap_err();
        assert!(err.to_string().contains("nhầm cơ sở dữ liệu"), "{err}");
        assert!(shas.iter().all(|sha| b.path_of(sha).unwrap().exists()));
    }
}
