//! The SQL of documents, instantiated for SQLite and PostgreSQL like `sql.rs`.

/// One bound value of a listing built at run time.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    I64(i64),
    Str(String),
}

/// Builds the `FROM … WHERE …` part of a document listing with `$n` placeholders, and the values to bind.
/// Every listing filters on the reader's clearance.
pub(crate) fn doc_where(f: &crate::model::DocFilter) -> (String, Vec<Bind>) {
    use crate::model::DocScope;
    let mut binds: Vec<Bind> = Vec::new();
    let mut p = |b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let mut conds: Vec<String> = vec![format!("d.secrecy <= {}", p(Bind::I64(f.max_secrecy())))];
    let in_list = |ids: &[i64], p: &mut dyn FnMut(Bind) -> String| -> String {
        if ids.is_empty() {
            "(NULL)".to_string()
        } else {
            let v: Vec<String> = ids.iter().map(|i| p(Bind::I64(*i))).collect();
            format!("({})", v.join(", "))
        }
    };
    match &f.scope {
        DocScope::Units(units) => conds.push(format!("d.unit_id IN {}", in_list(units, &mut p))),
        DocScope::PresentedTo {
            person_id,
            units,
            at,
        } => {
            let me = p(Bind::I64(*person_id));
            let at = p(Bind::I64(*at));
            let units = in_list(units, &mut p);
            conds.push(format!(
                "d.direction = 'incoming' AND (d.presented_to = {me} OR (d.presented_to IS NULL AND d.unit_id IN {units}) \
                 OR d.presented_to IN (SELECT g.from_person FROM delegations g WHERE g.to_person = {me} \
                 AND g.starts_at <= {at} AND g.ends_at > {at} AND g.revoked_at IS NULL))"
            ));
        }
        // The person's few rows drive these listings (`d.id IN (…)` lets SQLite start from the index of
        // assignments or reviews instead of scanning every document).
        DocScope::AssignedTo(person) => {
            let me = p(Bind::I64(*person));
            conds.push(format!(
                "d.state NOT IN ('done', 'revoked', 'rejected') AND d.id IN (SELECT a.document_id FROM document_assignments a \
                 WHERE a.person_id = {me} AND a.state IN ('pending', 'processing'))"
            ));
        }
        DocScope::ReviewBy(person, at) => {
            let me = p(Bind::I64(*person));
            let at = p(Bind::I64(*at));
            let deciders = format!(
                "(r.person_id = {me} OR r.person_id IN (SELECT g.from_person FROM delegations g \
                 WHERE g.to_person = {me} AND g.starts_at <= {at} AND g.ends_at > {at} AND g.revoked_at IS NULL))"
            );
            conds.push(format!(
                "d.state = 'in_review' AND d.id IN (SELECT r.document_id FROM document_reviews r \
                 WHERE r.decision = 'pending' AND {deciders}) \
                 AND EXISTS (SELECT 1 FROM document_reviews r WHERE r.document_id = d.id \
                 AND r.round = d.review_round AND r.step = d.review_step AND r.decision = 'pending' AND {deciders})"
            ));
        }
        DocScope::CreatedBy(person) => {
            conds.push(format!("d.created_by = {}", p(Bind::I64(*person))))
        }
        DocScope::RecipientUnits(units) => {
            let units = in_list(units, &mut p);
            conds.push(format!(
                "d.direction = 'internal' AND d.state IN ('issued', 'revoked') AND d.id IN (SELECT x.document_id \
                 FROM document_recipients x WHERE x.unit_id IN {units})"
            ));
        }
    }
    if let Some(dir) = f.direction {
        conds.push(format!("d.direction = {}", p(Bind::Str(dir.code().into()))));
    }
    if !f.states.is_empty() {
        let v: Vec<String> = f
            .states
            .iter()
            .map(|s| p(Bind::Str(s.code().into())))
            .collect();
        conds.push(format!("d.state IN ({})", v.join(", ")));
    }
    if let Some(q) = &f.query {
        for word in vanthu_domain::text::fold_ascii(q)
            .split_whitespace()
            .take(8)
        {
            let clean: String = word.chars().filter(|c| !c.is_control()).collect();
            let escaped = clean
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            conds.push(format!(
                "d.search LIKE {} ESCAPE '\\'",
                p(Bind::Str(format!("%{escaped}%")))
            ));
        }
    }
    if let Some(due) = &f.due_by {
        conds.push(format!(
            "d.deadline IS NOT NULL AND d.deadline <= {} AND d.state NOT IN ('done', 'rejected', 'revoked', 'issued')",
            p(Bind::Str(due.clone()))
        ));
    }
    if let Some(t) = f.step_due_before {
        conds.push(format!(
            "d.state = 'in_review' AND d.step_due_at IS NOT NULL AND d.step_due_at < {}",
            p(Bind::I64(t))
        ));
    }
    if let Some(t) = f.received_before {
        conds.push(format!(
            "d.received_at IS NOT NULL AND d.received_at <= {}",
            p(Bind::I64(t))
        ));
    }
    (
        format!("FROM documents d WHERE {}", conds.join(" AND ")),
        binds,
    )
}

/// The folded text searched by listings: subject, notation and author.
pub(crate) fn search_text(subject: &str, notation: Option<&str>, author: Option<&str>) -> String {
    let parts = [Some(subject), notation, author];
    let joined: Vec<&str> = parts.into_iter().flatten().collect();
    vanthu_domain::text::fold_ascii(&joined.join(" "))
}

macro_rules! impl_doc_repos {
    ($db:ty, $read:ty, $write:ty, $for_update:literal) => {
        crate::sql_docs::impl_doc_repos!(@read $db, $read);
        crate::sql_docs::impl_doc_repos!(@read $db, $write);
        crate::sql_docs::impl_doc_repos!(@write $db, $write, $for_update);
    };

    (@read $db:ty, $t:ty) => {
        const _: () = {
            use crate::model::*;
            use crate::repos::*;
            use crate::sql_docs::{Bind, doc_where};
            use crate::{Result, StoreError};
            use async_trait::async_trait;
            use sqlx::Row;

            type DbRow = <$db as sqlx::Database>::Row;

            fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
                StoreError::Corrupt(format!("{what}: {e}"))
            }

            pub(crate) fn document_from(r: &DbRow) -> Result<Document> {
                let secrecy: i64 = r.try_get("secrecy")?;
                let channel: Option<String> = r.try_get("channel")?;
                Ok(Document {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    direction: Direction::parse(r.try_get::<String, _>("direction")?.as_str())
                        .map_err(|e| corrupt("direction", e))?,
                    state: DocState::parse(r.try_get::<String, _>("state")?.as_str())
                        .map_err(|e| corrupt("state", e))?,
                    doc_type: r.try_get("doc_type")?,
                    subject: r.try_get("subject")?,
                    notation: r.try_get("notation")?,
                    doc_date: r.try_get("doc_date")?,
                    author: r.try_get("author")?,
                    author_code: r.try_get("author_code")?,
                    signer: r.try_get("signer")?,
                    pages: r.try_get("pages")?,
                    copies: r.try_get("copies")?,
                    urgency: Urgency::parse(r.try_get::<String, _>("urgency")?.as_str())
                        .map_err(|e| corrupt("urgency", e))?,
                    secrecy: vanthu_domain::Secrecy::from_level(secrecy).map_err(|e| corrupt("secrecy", e))?,
                    deadline: r.try_get("deadline")?,
                    channel: channel
                        .map(|c| Channel::parse(&c).map_err(|e| corrupt("channel", e)))
                        .transpose()?,
                    register_id: r.try_get("register_id")?,
                    reg_number: r.try_get("reg_number")?,
                    registered_at: r.try_get("registered_at")?,
                    received_at: r.try_get("received_at")?,
                    issued_at: r.try_get("issued_at")?,
                    presented_to: r.try_get("presented_to")?,
                    direction_note: r.try_get("direction_note")?,
                    signer_id: r.try_get("signer_id")?,
                    review_plan: r.try_get("review_plan")?,
                    step_due_at: r.try_get("step_due_at")?,
                    flow_version_id: r.try_get("flow_version_id")?,
                    review_round: r.try_get("review_round")?,
                    review_step: r.try_get("review_step")?,
                    source_id: r.try_get("source_id")?,
                    reply_to_id: r.try_get("reply_to_id")?,
                    replaces_id: r.try_get("replaces_id")?,
                    reason: r.try_get("reason")?,
                    note: r.try_get("note")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            }

            fn file_from(r: &DbRow) -> Result<DocFile> {
                Ok(DocFile {
                    id: r.try_get("id")?,
                    document_id: r.try_get("document_id")?,
                    kind: FileKind::parse(r.try_get::<String, _>("kind")?.as_str())
                        .map_err(|e| corrupt("kind", e))?,
                    name: r.try_get("name")?,
                    media_type: r.try_get("media_type")?,
                    size: r.try_get("size")?,
                    sha256: r.try_get("sha256")?,
                    version: r.try_get("version")?,
                    frozen: r.try_get("frozen")?,
                    uploaded_by: r.try_get("uploaded_by")?,
                    uploaded_at: r.try_get("uploaded_at")?,
                })
            }

            fn assignment_from(r: &DbRow) -> Result<Assignment> {
                Ok(Assignment {
                    id: r.try_get("id")?,
                    document_id: r.try_get("document_id")?,
                    person_id: r.try_get("person_id")?,
                    role: AssignmentRole::parse(r.try_get::<String, _>("role")?.as_str())
                        .map_err(|e| corrupt("role", e))?,
                    state: r.try_get("state")?,
                    deadline: r.try_get("deadline")?,
                    note: r.try_get("note")?,
                    report: r.try_get("report")?,
                    assigned_by: r.try_get("assigned_by")?,
                    assigned_at: r.try_get("assigned_at")?,
                    done_at: r.try_get("done_at")?,
                })
            }

            fn review_from(r: &DbRow) -> Result<Review> {
                Ok(Review {
                    id: r.try_get("id")?,
                    document_id: r.try_get("document_id")?,
                    round: r.try_get("round")?,
                    step: r.try_get("step")?,
                    mode: r.try_get("mode")?,
                    person_id: r.try_get("person_id")?,
                    decision: r.try_get("decision")?,
                    comment: r.try_get("comment")?,
                    decided_at: r.try_get("decided_at")?,
                })
            }

            fn recipient_from(r: &DbRow) -> Result<Recipient> {
                Ok(Recipient {
                    id: r.try_get("id")?,
                    document_id: r.try_get("document_id")?,
                    channel: r.try_get("channel")?,
                    unit_id: r.try_get("unit_id")?,
                    name: r.try_get("name")?,
                    code: r.try_get("code")?,
                    status: RecipientStatus::parse(r.try_get::<String, _>("status")?.as_str())
                        .map_err(|e| corrupt("status", e))?,
                    incoming_id: r.try_get("incoming_id")?,
                    note: r.try_get("note")?,
                    updated_at: r.try_get("updated_at")?,
                })
            }

            fn comment_from(r: &DbRow) -> Result<Comment> {
                Ok(Comment {
                    id: r.try_get("id")?,
                    document_id: r.try_get("document_id")?,
                    person_id: r.try_get("person_id")?,
                    body: r.try_get("body")?,
                    at: r.try_get("at")?,
                })
            }

            fn flow_from(r: &DbRow) -> Result<Flow> {
                Ok(Flow {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    kind: Direction::parse(r.try_get::<String, _>("kind")?.as_str()).map_err(|e| corrupt("kind", e))?,
                    name: r.try_get("name")?,
                    current_version: r.try_get("current_version")?,
                    active: r.try_get("active")?,
                    template_id: r.try_get("template_id")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn flow_version_from(r: &DbRow) -> Result<FlowVersion> {
                Ok(FlowVersion {
                    id: r.try_get("id")?,
                    flow_id: r.try_get("flow_id")?,
                    version: r.try_get("version")?,
                    definition: r.try_get("definition")?,
                    created_by: r.try_get("created_by")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn delegation_from(r: &DbRow) -> Result<Delegation> {
                Ok(Delegation {
                    id: r.try_get("id")?,
                    from_person: r.try_get("from_person")?,
                    to_person: r.try_get("to_person")?,
                    starts_at: r.try_get("starts_at")?,
                    ends_at: r.try_get("ends_at")?,
                    reason: r.try_get("reason")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            }

            fn bind_all<'q>(
                mut q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
                binds: &'q [Bind],
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
                for b in binds {
                    q = match b {
                        Bind::I64(v) => q.bind(*v),
                        Bind::Str(v) => q.bind(v.as_str()),
                    };
                }
                q
            }

            #[async_trait]
            impl DocumentRead for $t {
                async fn document(&mut self, id: i64) -> Result<Option<Document>> {
                    let r = sqlx::query("SELECT d.* FROM documents d WHERE d.id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(document_from).transpose()
                }

                async fn list_documents(&mut self, f: &DocFilter) -> Result<Vec<Document>> {
                    let (body, mut binds) = doc_where(f);
                    binds.push(Bind::I64(f.limit));
                    binds.push(Bind::I64(f.offset));
                    let n = binds.len();
                    let sql = format!("SELECT d.* {body} ORDER BY d.id DESC LIMIT ${} OFFSET ${n}", n - 1);
                    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(document_from).collect()
                }

                async fn count_documents(&mut self, f: &DocFilter) -> Result<i64> {
                    let (body, binds) = doc_where(f);
                    let sql = format!("SELECT COUNT(*) AS n {body}");
                    let r = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
                        .fetch_one(&mut *self.0)
                        .await?;
                    Ok(r.try_get("n")?)
                }

                async fn count_documents_upto(&mut self, f: &DocFilter, cap: i64) -> Result<i64> {
                    let (body, binds) = doc_where(f);
                    // The cap is a number of ours, never input text.
                    let sql = format!("SELECT COUNT(*) AS n FROM (SELECT 1 AS one {body} LIMIT {}) capped", cap.max(0));
                    let r = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
                        .fetch_one(&mut *self.0)
                        .await?;
                    Ok(r.try_get("n")?)
                }

                async fn find_duplicates(
                    &mut self,
                    unit_id: i64,
                    author: &str,
                    notation: &str,
                    doc_date: Option<&str>,
                    max_secrecy: i64,
                ) -> Result<Vec<Document>> {
                    let rows = sqlx::query(
                        "SELECT d.* FROM documents d WHERE d.unit_id = $1 AND d.direction = 'incoming' \
                         AND d.dup_notation = $2 AND d.dup_author = $3 \
                         AND (d.doc_date = $4 OR ($4 IS NULL AND d.doc_date IS NULL)) AND d.secrecy <= $5 ORDER BY d.id LIMIT 20",
                    )
                    .bind(unit_id)
                    .bind(notation)
                    .bind(author)
                    .bind(doc_date)
                    .bind(max_secrecy)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(document_from).collect()
                }

                async fn register_documents(&mut self, register_id: i64) -> Result<Vec<Document>> {
                    let rows = sqlx::query(
                        "SELECT d.* FROM documents d WHERE d.register_id = $1 AND d.reg_number IS NOT NULL ORDER BY d.reg_number",
                    )
                    .bind(register_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(document_from).collect()
                }

                async fn document_files(&mut self, document_id: i64) -> Result<Vec<DocFile>> {
                    let rows = sqlx::query("SELECT * FROM document_files WHERE document_id = $1 ORDER BY id")
                        .bind(document_id)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(file_from).collect()
                }

                async fn document_file(&mut self, file_id: i64) -> Result<Option<DocFile>> {
                    let r = sqlx::query("SELECT * FROM document_files WHERE id = $1")
                        .bind(file_id)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(file_from).transpose()
                }

                async fn assignments(&mut self, document_id: i64) -> Result<Vec<Assignment>> {
                    let rows = sqlx::query("SELECT * FROM document_assignments WHERE document_id = $1 ORDER BY id")
                        .bind(document_id)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(assignment_from).collect()
                }

                async fn reviews(&mut self, document_id: i64) -> Result<Vec<Review>> {
                    let rows = sqlx::query(
                        "SELECT * FROM document_reviews WHERE document_id = $1 ORDER BY round, step, id",
                    )
                    .bind(document_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(review_from).collect()
                }

                async fn recipients(&mut self, document_id: i64) -> Result<Vec<Recipient>> {
                    let rows = sqlx::query("SELECT * FROM document_recipients WHERE document_id = $1 ORDER BY id")
                        .bind(document_id)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(recipient_from).collect()
                }

                async fn referenced_blobs(&mut self, hashes: &[String]) -> Result<Vec<String>> {
                    let mut out = Vec::new();
                    for chunk in hashes.chunks(500) {
                        // Documents' files, and the packages sent and received over the axis (kept for audit).
                        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                        let marks = marks.join(", ");
                        let sql = format!(
                            "SELECT sha256 FROM document_files WHERE sha256 IN ({marks}) \
                             UNION SELECT sha256 FROM exchange_outbox WHERE sha256 IN ({marks}) \
                             UNION SELECT sha256 FROM exchange_inbox WHERE sha256 IN ({marks})"
                        );
                        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for h in chunk {
                            q = q.bind(h);
                        }
                        for r in q.fetch_all(&mut *self.0).await? {
                            out.push(r.try_get("sha256")?);
                        }
                    }
                    Ok(out)
                }

                async fn register_assignments(&mut self, register_id: i64) -> Result<Vec<Assignment>> {
                    let rows = sqlx::query(
                        "SELECT a.* FROM document_assignments a JOIN documents d ON d.id = a.document_id \
                         WHERE d.register_id = $1 AND d.reg_number IS NOT NULL ORDER BY a.document_id, a.id",
                    )
                    .bind(register_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(assignment_from).collect()
                }

                async fn register_recipients(&mut self, register_id: i64) -> Result<Vec<Recipient>> {
                    let rows = sqlx::query(
                        "SELECT x.* FROM document_recipients x JOIN documents d ON d.id = x.document_id \
                         WHERE d.register_id = $1 AND d.reg_number IS NOT NULL ORDER BY x.document_id, x.id",
                    )
                    .bind(register_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(recipient_from).collect()
                }

                async fn recipient_of_copy(&mut self, incoming_id: i64) -> Result<Option<Recipient>> {
                    let r = sqlx::query("SELECT * FROM document_recipients WHERE incoming_id = $1")
                        .bind(incoming_id)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(recipient_from).transpose()
                }

                async fn comments(&mut self, document_id: i64) -> Result<Vec<Comment>> {
                    let rows = sqlx::query("SELECT * FROM document_comments WHERE document_id = $1 ORDER BY id")
                        .bind(document_id)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(comment_from).collect()
                }

                async fn replies(&mut self, document_id: i64) -> Result<Vec<Document>> {
                    let rows = sqlx::query("SELECT d.* FROM documents d WHERE d.reply_to_id = $1 ORDER BY d.id LIMIT 50")
                        .bind(document_id)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(document_from).collect()
                }

                async fn flows(&mut self, unit_id: Option<i64>) -> Result<Vec<Flow>> {
                    let rows = sqlx::query(
                        "SELECT * FROM flows WHERE (unit_id = $1 OR ($1 IS NULL AND unit_id IS NULL)) ORDER BY id",
                    )
                    .bind(unit_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(flow_from).collect()
                }

                async fn flow(&mut self, id: i64) -> Result<Option<Flow>> {
                    let r = sqlx::query("SELECT * FROM flows WHERE id = $1").bind(id).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(flow_from).transpose()
                }

                async fn flow_versions(&mut self, flow_id: i64) -> Result<Vec<FlowVersion>> {
                    let rows = sqlx::query("SELECT * FROM flow_versions WHERE flow_id = $1 ORDER BY version")
                        .bind(flow_id)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(flow_version_from).collect()
                }

                async fn flow_version(&mut self, id: i64) -> Result<Option<FlowVersion>> {
                    let r = sqlx::query("SELECT * FROM flow_versions WHERE id = $1").bind(id).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(flow_version_from).transpose()
                }

                async fn delegations_of(&mut self, person_id: i64) -> Result<Vec<Delegation>> {
                    let rows = sqlx::query(
                        "SELECT * FROM delegations WHERE from_person = $1 OR to_person = $1 ORDER BY id DESC LIMIT 200",
                    )
                    .bind(person_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(delegation_from).collect()
                }

                async fn delegation(&mut self, id: i64) -> Result<Option<Delegation>> {
                    let r = sqlx::query("SELECT * FROM delegations WHERE id = $1").bind(id).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(delegation_from).transpose()
                }

                async fn delegated(&mut self, from: i64, to: i64, at: i64) -> Result<bool> {
                    let r = sqlx::query(
                        "SELECT COUNT(*) AS n FROM delegations WHERE from_person = $1 AND to_person = $2 \
                         AND starts_at <= $3 AND ends_at > $3 AND revoked_at IS NULL",
                    )
                    .bind(from)
                    .bind(to)
                    .bind(at)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get::<i64, _>("n")? > 0)
                }

                async fn count_unacknowledged(&mut self, units: &[i64], before: i64, max_secrecy: i64) -> Result<i64> {
                    if units.is_empty() {
                        return Ok(0);
                    }
                    let list: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 3)).collect();
                    let sql = format!(
                        "SELECT COUNT(*) AS n FROM document_recipients x JOIN documents d ON d.id = x.document_id \
                         WHERE x.channel = 'internal' AND x.status = 'arrived' AND x.updated_at <= $1 AND d.secrecy <= $2 \
                         AND d.state = 'issued' AND d.unit_id IN ({})",
                        list.join(", ")
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(before).bind(max_secrecy);
                    for u in units {
                        q = q.bind(*u);
                    }
                    let r = q.fetch_one(&mut *self.0).await?;
                    Ok(r.try_get("n")?)
                }

                async fn units_without_clerk(&mut self) -> Result<Vec<i64>> {
                    let rows = sqlx::query(
                        "SELECT u.id FROM units u WHERE u.active \
                         AND EXISTS (SELECT 1 FROM registers r WHERE r.unit_id = u.id AND r.active AND r.kind = 'incoming') \
                         AND NOT EXISTS (SELECT 1 FROM memberships m JOIN people p ON p.id = m.person_id \
                             WHERE m.unit_id = u.id AND p.active AND (';' || m.roles || ';') LIKE '%;clerk;%') \
                         ORDER BY u.id",
                    )
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(|r| Ok(r.try_get::<i64, _>("id")?)).collect()
                }

                async fn takes_part(&mut self, document_id: i64, person_id: i64) -> Result<bool> {
                    let r = sqlx::query(
                        "SELECT (EXISTS (SELECT 1 FROM document_assignments WHERE document_id = $1 AND person_id = $2) \
                         OR EXISTS (SELECT 1 FROM document_reviews WHERE document_id = $1 AND person_id = $2)) AS yes",
                    )
                    .bind(document_id)
                    .bind(person_id)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("yes")?)
                }
            }
        };
    };

    (@write $db:ty, $t:ty, $for_update:literal) => {
        const _: () = {
            use crate::model::*;
            use crate::repos::*;
            use crate::{Result, StoreError};
            use async_trait::async_trait;
            use sqlx::Row;
            use vanthu_domain::document::duplicate_key;

            fn expect_one(rows: u64) -> Result<()> {
                if rows == 1 { Ok(()) } else { Err(StoreError::NotFound) }
            }

            fn dup_keys(author: Option<&str>, notation: Option<&str>) -> (Option<String>, Option<String>) {
                match (author, notation) {
                    (Some(a), Some(n)) => {
                        let (a, n) = duplicate_key(a, n);
                        (Some(a), Some(n))
                    }
                    _ => (None, None),
                }
            }

            #[async_trait]
            impl DocumentWrite for $t {
                async fn lock_document(&mut self, id: i64) -> Result<Option<Document>> {
                    // PostgreSQL: a row lock held to the end of the transaction; SQLite: writers are serialised.
                    let q = concat!("SELECT id FROM documents WHERE id = $1", $for_update);
                    if sqlx::query(q).bind(id).fetch_optional(&mut *self.0).await?.is_none() {
                        return Ok(None);
                    }
                    <$t as DocumentRead>::document(self, id).await
                }

                async fn insert_document(&mut self, d: &NewDocument, now: i64) -> Result<i64> {
                    let (dup_author, dup_notation) = dup_keys(d.author.as_deref(), d.notation.as_deref());
                    let r = sqlx::query(
                        "INSERT INTO documents (unit_id, direction, state, doc_type, subject, search, notation, doc_date, \
                         author, author_code, dup_author, dup_notation, signer, pages, copies, urgency, secrecy, deadline, \
                         channel, received_at, signer_id, source_id, reply_to_id, replaces_id, note, created_by, created_at, updated_at, review_plan, flow_version_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                         $21, $22, $23, $24, $25, $26, $27, $27, $28, $29) RETURNING id",
                    )
                    .bind(d.unit_id)
                    .bind(d.direction.code())
                    .bind(d.state.code())
                    .bind(&d.doc_type)
                    .bind(&d.subject)
                    .bind(crate::sql_docs::search_text(&d.subject, d.notation.as_deref(), d.author.as_deref()))
                    .bind(&d.notation)
                    .bind(&d.doc_date)
                    .bind(&d.author)
                    .bind(&d.author_code)
                    .bind(dup_author)
                    .bind(dup_notation)
                    .bind(&d.signer)
                    .bind(d.pages)
                    .bind(d.copies)
                    .bind(d.urgency.code())
                    .bind(d.secrecy.map(|s| s.level()).unwrap_or(0))
                    .bind(&d.deadline)
                    .bind(d.channel.map(|c| c.code()))
                    .bind(d.received_at)
                    .bind(d.signer_id)
                    .bind(d.source_id)
                    .bind(d.reply_to_id)
                    .bind(d.replaces_id)
                    .bind(&d.note)
                    .bind(d.created_by)
                    .bind(now)
                    .bind(&d.review_plan)
                    .bind(d.flow_version_id)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn update_document(&mut self, d: &Document, now: i64) -> Result<()> {
                    let (dup_author, dup_notation) = dup_keys(d.author.as_deref(), d.notation.as_deref());
                    let search = crate::sql_docs::search_text(&d.subject, d.notation.as_deref(), d.author.as_deref());
                    let r = sqlx::query(
                        "UPDATE documents SET state = $1, doc_type = $2, subject = $3, search = $4, notation = $5, doc_date = $6, \
                         author = $7, author_code = $8, dup_author = $9, dup_notation = $10, signer = $11, pages = $12, copies = $13, \
                         urgency = $14, secrecy = $15, deadline = $16, register_id = $17, reg_number = $18, registered_at = $19, \
                         issued_at = $20, presented_to = $21, direction_note = $22, signer_id = $23, review_round = $24, \
                         review_step = $25, reply_to_id = $26, replaces_id = $27, reason = $28, note = $29, updated_at = $30, \
                         review_plan = $32, flow_version_id = $33, step_due_at = $34 WHERE id = $31",
                    )
                    .bind(d.state.code())
                    .bind(&d.doc_type)
                    .bind(&d.subject)
                    .bind(search)
                    .bind(&d.notation)
                    .bind(&d.doc_date)
                    .bind(&d.author)
                    .bind(&d.author_code)
                    .bind(dup_author)
                    .bind(dup_notation)
                    .bind(&d.signer)
                    .bind(d.pages)
                    .bind(d.copies)
                    .bind(d.urgency.code())
                    .bind(d.secrecy.map(|s| s.level()).unwrap_or(0))
                    .bind(&d.deadline)
                    .bind(d.register_id)
                    .bind(d.reg_number)
                    .bind(d.registered_at)
                    .bind(d.issued_at)
                    .bind(d.presented_to)
                    .bind(&d.direction_note)
                    .bind(d.signer_id)
                    .bind(d.review_round)
                    .bind(d.review_step)
                    .bind(d.reply_to_id)
                    .bind(d.replaces_id)
                    .bind(&d.reason)
                    .bind(&d.note)
                    .bind(now)
                    .bind(d.id)
                    .bind(&d.review_plan)
                    .bind(d.flow_version_id)
                    .bind(d.step_due_at)
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }

                async fn insert_file(&mut self, document_id: i64, f: &NewFile, now: i64) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO document_files (document_id, kind, name, media_type, size, sha256, version, frozen, uploaded_by, uploaded_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    )
                    .bind(document_id)
                    .bind(f.kind.code())
                    .bind(&f.name)
                    .bind(&f.media_type)
                    .bind(f.size)
                    .bind(&f.sha256)
                    .bind(f.version)
                    .bind(f.frozen)
                    .bind(f.uploaded_by)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn freeze_files(&mut self, document_id: i64) -> Result<()> {
                    sqlx::query("UPDATE document_files SET frozen = TRUE WHERE document_id = $1")
                        .bind(document_id)
                        .execute(&mut *self.0)
                        .await?;
                    Ok(())
                }

                async fn insert_assignment(
                    &mut self,
                    document_id: i64,
                    person_id: i64,
                    role: AssignmentRole,
                    deadline: Option<&str>,
                    note: Option<&str>,
                    by: i64,
                    now: i64,
                ) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO document_assignments (document_id, person_id, role, state, deadline, note, assigned_by, assigned_at) \
                         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(document_id)
                    .bind(person_id)
                    .bind(role.code())
                    .bind(deadline)
                    .bind(note)
                    .bind(by)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn update_assignment(&mut self, a: &Assignment) -> Result<()> {
                    let r = sqlx::query(
                        "UPDATE document_assignments SET role = $1, state = $2, deadline = $3, note = $4, report = $5, done_at = $6 \
                         WHERE id = $7",
                    )
                    .bind(a.role.code())
                    .bind(&a.state)
                    .bind(&a.deadline)
                    .bind(&a.note)
                    .bind(&a.report)
                    .bind(a.done_at)
                    .bind(a.id)
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }

                async fn insert_review(
                    &mut self,
                    document_id: i64,
                    round: i64,
                    step: i64,
                    mode: &str,
                    person_id: i64,
                ) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO document_reviews (document_id, round, step, mode, person_id, decision) \
                         VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id",
                    )
                    .bind(document_id)
                    .bind(round)
                    .bind(step)
                    .bind(mode)
                    .bind(person_id)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn decide_review(&mut self, review_id: i64, decision: &str, comment: Option<&str>, now: i64) -> Result<()> {
                    let r = sqlx::query(
                        "UPDATE document_reviews SET decision = $1, comment = $2, decided_at = $3 WHERE id = $4 AND decision = 'pending'",
                    )
                    .bind(decision)
                    .bind(comment)
                    .bind(now)
                    .bind(review_id)
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }

                async fn insert_recipient(&mut self, x: &Recipient) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO document_recipients (document_id, channel, unit_id, name, code, status, incoming_id, note, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(x.document_id)
                    .bind(&x.channel)
                    .bind(x.unit_id)
                    .bind(&x.name)
                    .bind(&x.code)
                    .bind(x.status.code())
                    .bind(x.incoming_id)
                    .bind(&x.note)
                    .bind(x.updated_at)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn set_recipient_status(
                    &mut self,
                    id: i64,
                    status: RecipientStatus,
                    incoming_id: Option<i64>,
                    note: Option<&str>,
                    now: i64,
                ) -> Result<()> {
                    let r = sqlx::query(
                        "UPDATE document_recipients SET status = $1, incoming_id = COALESCE($2, incoming_id), \
                         note = COALESCE($3, note), updated_at = $4 WHERE id = $5",
                    )
                    .bind(status.code())
                    .bind(incoming_id)
                    .bind(note)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }

                async fn insert_flow(
                    &mut self,
                    unit: &vanthu_domain::access::AdminGrant,
                    kind: Direction,
                    name: &str,
                    template_id: Option<i64>,
                    definition: &str,
                    by: i64,
                    now: i64,
                ) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO flows (unit_id, kind, name, current_version, active, template_id, created_at) \
                         VALUES ($1, $2, $3, 1, TRUE, $4, $5) RETURNING id",
                    )
                    .bind(unit.unit_id())
                    .bind(kind.code())
                    .bind(name)
                    .bind(template_id)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    let id: i64 = r.try_get("id")?;
                    sqlx::query(
                        "INSERT INTO flow_versions (flow_id, version, definition, created_by, created_at) VALUES ($1, 1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(definition)
                    .bind(by)
                    .bind(now)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(id)
                }

                async fn add_flow_version(
                    &mut self,
                    unit: &vanthu_domain::access::AdminGrant,
                    flow_id: i64,
                    name: &str,
                    active: bool,
                    definition: &str,
                    by: i64,
                    now: i64,
                ) -> Result<i64> {
                    let r = sqlx::query(
                        "UPDATE flows SET current_version = current_version + 1, name = $1, active = $2 \
                         WHERE id = $3 AND unit_id = $4 RETURNING current_version",
                    )
                    .bind(name)
                    .bind(active)
                    .bind(flow_id)
                    .bind(unit.unit_id())
                    .fetch_optional(&mut *self.0)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                    let v: i64 = r.try_get("current_version")?;
                    sqlx::query(
                        "INSERT INTO flow_versions (flow_id, version, definition, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(flow_id)
                    .bind(v)
                    .bind(definition)
                    .bind(by)
                    .bind(now)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(v)
                }

                async fn insert_delegation(
                    &mut self,
                    from: i64,
                    to: i64,
                    starts_at: i64,
                    ends_at: i64,
                    reason: &str,
                    now: i64,
                ) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO delegations (from_person, to_person, starts_at, ends_at, reason, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(from)
                    .bind(to)
                    .bind(starts_at)
                    .bind(ends_at)
                    .bind(reason)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn revoke_delegation(&mut self, id: i64, from: i64, now: i64) -> Result<bool> {
                    let r = sqlx::query(
                        "UPDATE delegations SET revoked_at = $1 WHERE id = $2 AND from_person = $3 AND revoked_at IS NULL",
                    )
                    .bind(now)
                    .bind(id)
                    .bind(from)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(r.rows_affected() == 1)
                }

                async fn delete_recipients(&mut self, document_id: i64) -> Result<()> {
                    sqlx::query("DELETE FROM document_recipients WHERE document_id = $1")
                        .bind(document_id)
                        .execute(&mut *self.0)
                        .await?;
                    Ok(())
                }

                async fn insert_comment(&mut self, document_id: i64, person_id: i64, body: &str, now: i64) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO document_comments (document_id, person_id, body, at) VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(document_id)
                    .bind(person_id)
                    .bind(body)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn use_number(
                    &mut self,
                    register_id: i64,
                    number: i64,
                    document_id: i64,
                    notation: Option<&str>,
                ) -> Result<()> {
                    let r = sqlx::query(
                        "UPDATE register_entries SET status = 'used', document_id = $1, notation = COALESCE($2, notation) \
                         WHERE register_id = $3 AND number = $4 AND status = 'reserved'",
                    )
                    .bind(document_id)
                    .bind(notation)
                    .bind(register_id)
                    .bind(number)
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }
            }
        };
    };
}

pub(crate) use impl_doc_repos;
