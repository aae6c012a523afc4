//! The SQL of the exchange over the interconnection axis (outbox, inbox, links, directory), instantiated for
//! SQLite and PostgreSQL like `sql.rs`.

macro_rules! impl_exchange_repos {
    ($db:ty, $read:ty, $write:ty) => {
        crate::sql_exchange::impl_exchange_repos!(@read $db, $read);
        crate::sql_exchange::impl_exchange_repos!(@read $db, $write);
        crate::sql_exchange::impl_exchange_repos!(@write $db, $write);
    };

    (@read $db:ty, $t:ty) => {
        const _: () = {
            use crate::Result;
            use crate::model::*;
            use crate::repos::*;
            use async_trait::async_trait;
            use sqlx::Row;

            type DbRow = <$db as sqlx::Database>::Row;

            fn outbox_from(r: &DbRow) -> Result<OutboxItem> {
                Ok(OutboxItem {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    code: r.try_get("code")?,
                    document_id: r.try_get("document_id")?,
                    recipient_id: r.try_get("recipient_id")?,
                    to_code: r.try_get("to_code")?,
                    edxml_document_id: r.try_get("edxml_document_id")?,
                    description: r.try_get("description")?,
                    staff: r.try_get("staff")?,
                    reference: r.try_get("reference")?,
                    sha256: r.try_get("sha256")?,
                    state: r.try_get("state")?,
                    attempts: r.try_get("attempts")?,
                    next_at: r.try_get("next_at")?,
                    last_error: r.try_get("last_error")?,
                    axis_doc_id: r.try_get("axis_doc_id")?,
                    created_at: r.try_get("created_at")?,
                    sent_at: r.try_get("sent_at")?,
                })
            }

            fn inbox_from(r: &DbRow) -> Result<InboxItem> {
                Ok(InboxItem {
                    id: r.try_get("id")?,
                    axis_doc_id: r.try_get("axis_doc_id")?,
                    kind: r.try_get("kind")?,
                    from_code: r.try_get("from_code")?,
                    edxml_document_id: r.try_get("edxml_document_id")?,
                    code: r.try_get("code")?,
                    sha256: r.try_get("sha256")?,
                    size: r.try_get("size")?,
                    outcome: r.try_get("outcome")?,
                    note: r.try_get("note")?,
                    received_at: r.try_get("received_at")?,
                })
            }

            fn link_from(r: &DbRow) -> Result<ExchangeLink> {
                Ok(ExchangeLink {
                    document_id: r.try_get("document_id")?,
                    inbox_id: r.try_get("inbox_id")?,
                    unit_id: r.try_get("unit_id")?,
                    from_code: r.try_get("from_code")?,
                    edxml_document_id: r.try_get("edxml_document_id")?,
                    code: r.try_get("code")?,
                    promulgation_date: r.try_get("promulgation_date")?,
                })
            }

            fn agency_from(r: &DbRow) -> Result<Agency> {
                Ok(Agency {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    pcode: r.try_get("pcode")?,
                    synced_at: r.try_get("synced_at")?,
                })
            }

            #[async_trait]
            impl ExchangeRead for $t {
                async fn outbox_due(&mut self, now: i64, limit: i64) -> Result<Vec<OutboxItem>> {
                    let rows = sqlx::query(
                        "SELECT * FROM exchange_outbox WHERE state = 'queued' AND next_at <= $1 \
                         ORDER BY next_at, id LIMIT $2",
                    )
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(outbox_from).collect()
                }

                async fn outbox_next_due(&mut self) -> Result<Option<i64>> {
                    let r = sqlx::query(
                        "SELECT MIN(next_at) AS due FROM exchange_outbox WHERE state = 'queued'",
                    )
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("due")?)
                }

                async fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxItem>> {
                    let r = sqlx::query("SELECT * FROM exchange_outbox WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(outbox_from).transpose()
                }

                async fn outbox_of_document(&mut self, document_id: i64) -> Result<Vec<OutboxItem>> {
                    let rows = sqlx::query(
                        "SELECT * FROM exchange_outbox WHERE document_id = $1 ORDER BY id",
                    )
                    .bind(document_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(outbox_from).collect()
                }

                async fn outbox_sent_to(
                    &mut self,
                    edxml_document_id: &str,
                    to_code: &str,
                ) -> Result<Vec<OutboxItem>> {
                    let rows = sqlx::query(
                        "SELECT * FROM exchange_outbox WHERE edxml_document_id = $1 AND to_code = $2 \
                         AND kind = 'edoc' ORDER BY id",
                    )
                    .bind(edxml_document_id)
                    .bind(to_code)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(outbox_from).collect()
                }

                async fn outbox_list(
                    &mut self,
                    state: Option<&str>,
                    limit: i64,
                ) -> Result<Vec<OutboxItem>> {
                    let rows = sqlx::query(
                        "SELECT * FROM exchange_outbox WHERE ($1 IS NULL OR state = $1) \
                         ORDER BY id DESC LIMIT $2",
                    )
                    .bind(state)
                    .bind(limit)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(outbox_from).collect()
                }

                async fn inbox_by_axis_id(&mut self, axis_doc_id: &str) -> Result<Option<InboxItem>> {
                    let r = sqlx::query("SELECT * FROM exchange_inbox WHERE axis_doc_id = $1")
                        .bind(axis_doc_id)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(inbox_from).transpose()
                }

                async fn inbox_item(&mut self, id: i64) -> Result<Option<InboxItem>> {
                    let r = sqlx::query("SELECT * FROM exchange_inbox WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(inbox_from).transpose()
                }

                async fn inbox_list(
                    &mut self,
                    outcome: Option<&str>,
                    limit: i64,
                ) -> Result<Vec<InboxItem>> {
                    let rows = sqlx::query(
                        "SELECT * FROM exchange_inbox WHERE ($1 IS NULL OR outcome = $1) \
                         ORDER BY id DESC LIMIT $2",
                    )
                    .bind(outcome)
                    .bind(limit)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(inbox_from).collect()
                }

                async fn exchange_link(&mut self, document_id: i64) -> Result<Option<ExchangeLink>> {
                    let r = sqlx::query("SELECT * FROM exchange_links WHERE document_id = $1")
                        .bind(document_id)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(link_from).transpose()
                }

                async fn exchange_links_for(
                    &mut self,
                    from_code: &str,
                    edxml_document_id: &str,
                ) -> Result<Vec<ExchangeLink>> {
                    let rows = sqlx::query(
                        "SELECT * FROM exchange_links WHERE from_code = $1 AND edxml_document_id = $2 \
                         ORDER BY document_id",
                    )
                    .bind(from_code)
                    .bind(edxml_document_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(link_from).collect()
                }

                async fn agencies(&mut self) -> Result<Vec<Agency>> {
                    let rows = sqlx::query("SELECT * FROM exchange_agencies ORDER BY code")
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(agency_from).collect()
                }

                async fn has_agencies(&mut self) -> Result<bool> {
                    let r = sqlx::query("SELECT EXISTS (SELECT 1 FROM exchange_agencies) AS x")
                        .fetch_one(&mut *self.0)
                        .await?;
                    Ok(r.try_get::<bool, _>("x")?)
                }

                async fn agency(&mut self, code: &str) -> Result<Option<Agency>> {
                    let r = sqlx::query("SELECT * FROM exchange_agencies WHERE code = $1")
                        .bind(code)
                        .fetch_optional(&mut *self.0)
                        .await?;
                    r.as_ref().map(agency_from).transpose()
                }
            }
        };
    };

    (@write $db:ty, $t:ty) => {
        const _: () = {
            use crate::Result;
            use crate::model::*;
            use crate::repos::*;
            use async_trait::async_trait;
            use sqlx::Row;

            #[async_trait]
            impl ExchangeWrite for $t {
                async fn insert_outbox(&mut self, o: &NewOutbox, now: i64) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO exchange_outbox (kind, code, document_id, recipient_id, to_code, \
                         edxml_document_id, description, staff, reference, state, next_at, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10) RETURNING id",
                    )
                    .bind(&o.kind)
                    .bind(&o.code)
                    .bind(o.document_id)
                    .bind(o.recipient_id)
                    .bind(&o.to_code)
                    .bind(&o.edxml_document_id)
                    .bind(&o.description)
                    .bind(&o.staff)
                    .bind(&o.reference)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn outbox_claim(&mut self, id: i64) -> Result<bool> {
                    let r = sqlx::query(
                        "UPDATE exchange_outbox SET state = 'sending' WHERE id = $1 AND state = 'queued'",
                    )
                    .bind(id)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(r.rows_affected() == 1)
                }

                async fn outbox_recover(&mut self) -> Result<u64> {
                    let r = sqlx::query("UPDATE exchange_outbox SET state = 'queued' WHERE state = 'sending'")
                        .execute(&mut *self.0)
                        .await?;
                    Ok(r.rows_affected())
                }

                async fn set_outbox_package(&mut self, id: i64, sha256: &str) -> Result<()> {
                    sqlx::query("UPDATE exchange_outbox SET sha256 = $1 WHERE id = $2")
                        .bind(sha256)
                        .bind(id)
                        .execute(&mut *self.0)
                        .await?;
                    Ok(())
                }

                async fn outbox_sent(&mut self, id: i64, axis_doc_id: &str, now: i64) -> Result<()> {
                    sqlx::query(
                        "UPDATE exchange_outbox SET state = 'sent', axis_doc_id = $1, sent_at = $2, \
                         attempts = attempts + 1, last_error = NULL WHERE id = $3 AND state IN ('queued', 'sending')",
                    )
                    .bind(axis_doc_id)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn outbox_retry(&mut self, id: i64, next_at: i64, error: &str) -> Result<()> {
                    sqlx::query(
                        "UPDATE exchange_outbox SET state = 'queued', attempts = attempts + 1, next_at = $1, \
                         last_error = $2 WHERE id = $3 AND state IN ('queued', 'sending')",
                    )
                    .bind(next_at)
                    .bind(error)
                    .bind(id)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn outbox_failed(&mut self, id: i64, error: &str) -> Result<()> {
                    sqlx::query(
                        "UPDATE exchange_outbox SET state = 'failed', attempts = attempts + 1, last_error = $1 \
                         WHERE id = $2 AND state IN ('queued', 'sending')",
                    )
                    .bind(error)
                    .bind(id)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn outbox_cancel(&mut self, id: i64, reason: &str) -> Result<bool> {
                    let r = sqlx::query(
                        "UPDATE exchange_outbox SET state = 'cancelled', last_error = $1 \
                         WHERE id = $2 AND state IN ('queued', 'failed')",
                    )
                    .bind(reason)
                    .bind(id)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(r.rows_affected() == 1)
                }

                async fn outbox_requeue(&mut self, id: i64, now: i64) -> Result<bool> {
                    let r = sqlx::query(
                        "UPDATE exchange_outbox SET state = 'queued', next_at = $1, attempts = 0 \
                         WHERE id = $2 AND state = 'failed'",
                    )
                    .bind(now)
                    .bind(id)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(r.rows_affected() == 1)
                }

                async fn insert_inbox(&mut self, i: &InboxItem) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO exchange_inbox (axis_doc_id, kind, from_code, edxml_document_id, code, \
                         sha256, size, outcome, note, received_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    )
                    .bind(&i.axis_doc_id)
                    .bind(&i.kind)
                    .bind(&i.from_code)
                    .bind(&i.edxml_document_id)
                    .bind(&i.code)
                    .bind(&i.sha256)
                    .bind(i.size)
                    .bind(&i.outcome)
                    .bind(&i.note)
                    .bind(i.received_at)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn set_inbox_outcome(
                    &mut self,
                    id: i64,
                    outcome: &str,
                    note: Option<&str>,
                ) -> Result<()> {
                    sqlx::query("UPDATE exchange_inbox SET outcome = $1, note = $2 WHERE id = $3")
                        .bind(outcome)
                        .bind(note)
                        .bind(id)
                        .execute(&mut *self.0)
                        .await?;
                    Ok(())
                }

                async fn insert_exchange_link(&mut self, l: &ExchangeLink) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO exchange_links (document_id, inbox_id, unit_id, from_code, \
                         edxml_document_id, code, promulgation_date) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(l.document_id)
                    .bind(l.inbox_id)
                    .bind(l.unit_id)
                    .bind(&l.from_code)
                    .bind(&l.edxml_document_id)
                    .bind(&l.code)
                    .bind(&l.promulgation_date)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn replace_agencies(&mut self, agencies: &[Agency]) -> Result<()> {
                    sqlx::query("DELETE FROM exchange_agencies")
                        .execute(&mut *self.0)
                        .await?;
                    for a in agencies {
                        sqlx::query(
                            "INSERT INTO exchange_agencies (code, name, pcode, synced_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (code) DO UPDATE SET name = excluded.name, pcode = excluded.pcode, \
                             synced_at = excluded.synced_at",
                        )
                        .bind(&a.code)
                        .bind(&a.name)
                        .bind(&a.pcode)
                        .bind(a.synced_at)
                        .execute(&mut *self.0)
                        .await?;
                    }
                    Ok(())
                }
            }
        };
    };
}

pub(crate) use impl_exchange_repos;
