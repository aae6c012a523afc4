//! The one SQL implementation of the storage traits, instantiated for SQLite and PostgreSQL.

/// Implements the read traits for `$read` and the read and write traits for `$write`. Both types hold a
/// connection in field `.0` that dereferences to the backend's connection type; `$write` holds the store's
/// write generation in field `.1`, bumped by a commit that changed units, people, memberships or tokens.
macro_rules! impl_repos {
    ($db:ty, $read:ty, $write:ty, $org_lock:literal) => {
        crate::sql::impl_repos!(@read $db, $read);
        crate::sql::impl_repos!(@read $db, $write);
        crate::sql::impl_repos!(@write $db, $write, $org_lock);
    };

    (@read $db:ty, $t:ty) => {
        const _: () = {
            use crate::model::*;
            use crate::repos::*;
            use crate::{Result, StoreError};
            use async_trait::async_trait;
            use sqlx::Row;
            use vanthu_domain::{Clearance, CodeFormat, Side, UnitKind};

            type DbRow = <$db as sqlx::Database>::Row;

            fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
                StoreError::Corrupt(format!("{what}: {e}"))
            }

            fn unit_from(r: &DbRow) -> Result<Unit> {
                Ok(Unit {
                    id: r.try_get("id")?,
                    key: r.try_get("key")?,
                    code: r.try_get("code")?,
                    code_format: CodeFormat::parse(r.try_get::<String, _>("code_format")?.as_str())
                        .map_err(|e| corrupt("code_format", e))?,
                    old_code: r.try_get("old_code")?,
                    name: r.try_get("name")?,
                    short_name: r.try_get("short_name")?,
                    kind: UnitKind::parse(r.try_get::<String, _>("kind")?.as_str())
                        .map_err(|e| corrupt("kind", e))?,
                    side: Side::parse(r.try_get::<String, _>("side")?.as_str())
                        .map_err(|e| corrupt("side", e))?,
                    parent_id: r.try_get("parent_id")?,
                    active: r.try_get("active")?,
                    valid_from: r.try_get("valid_from")?,
                    valid_to: r.try_get("valid_to")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            }

            fn person_from(r: &DbRow) -> Result<Person> {
                Ok(Person {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    full_name: r.try_get("full_name")?,
                    email: r.try_get("email")?,
                    phone: r.try_get("phone")?,
                    clearance: Clearance::parse(r.try_get::<String, _>("clearance")?.as_str())
                        .map_err(|e| corrupt("clearance", e))?,
                    system_admin: r.try_get("system_admin")?,
                    active: r.try_get("active")?,
                    must_change_password: r.try_get("must_change_password")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            }

            fn membership_from(r: &DbRow) -> Result<Membership> {
                let roles: String = r.try_get("roles")?;
                Ok(Membership {
                    person_id: r.try_get("person_id")?,
                    unit_id: r.try_get("unit_id")?,
                    position: r.try_get("position")?,
                    roles: vanthu_domain::org::parse_roles(&roles).map_err(|e| corrupt("roles", e))?,
                    is_primary: r.try_get("is_primary")?,
                })
            }

            fn event_from(r: &DbRow) -> Result<Event> {
                Ok(Event {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor_id: r.try_get("actor_id")?,
                    action: r.try_get("action")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    summary: r.try_get("summary")?,
                    details: r.try_get("details")?,
                })
            }

            const UNIT_COLS: &str = "id, key, code, code_format, old_code, name, short_name, kind, side, parent_id, active, valid_from, valid_to, created_at, updated_at";
            /// The filter of a people listing: $1 include inactive, $2 unit, $3 folded LIKE pattern.
            // Accounts of the system itself (`@truc`, the axis) are no people to list, count or export.
            const PEOPLE_FILTER: &str = "(p.active OR $1) AND p.username NOT LIKE '@%' \
                 AND ($2 IS NULL OR EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.unit_id = $2)) \
                 AND ($3 IS NULL OR p.search LIKE $3 ESCAPE '\\')";

            /// The search text folded like the stored column, with LIKE's wildcards escaped.
            fn search_pattern(f: &PeopleFilter) -> Option<String> {
                f.query.as_ref().map(|q| {
                    let clean: String = q.chars().filter(|c| !c.is_control()).collect();
                    let folded = vanthu_domain::text::fold_ascii(&clean);
                    let escaped = folded.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    format!("%{escaped}%")
                })
            }

            const PERSON_COLS: &str = "id, username, full_name, email, phone, clearance, system_admin, active, must_change_password, created_at, updated_at";

            #[async_trait]
            impl UnitRead for $t {
                async fn unit(&mut self, id: i64) -> Result<Option<Unit>> {
                    let q = sqlx::AssertSqlSafe(format!("SELECT {UNIT_COLS} FROM units WHERE id = $1"));
                    let r = sqlx::query(q).bind(id).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(unit_from).transpose()
                }

                async fn unit_by_key(&mut self, key: &str) -> Result<Option<Unit>> {
                    let q = sqlx::AssertSqlSafe(format!("SELECT {UNIT_COLS} FROM units WHERE key = $1"));
                    let r = sqlx::query(q).bind(key).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(unit_from).transpose()
                }

                async fn unit_by_code(&mut self, code: &str) -> Result<Option<Unit>> {
                    let q = sqlx::AssertSqlSafe(format!(
                        "SELECT {UNIT_COLS} FROM units WHERE code = $1 OR old_code = $1 ORDER BY (code = $1) DESC LIMIT 1"
                    ));
                    let r = sqlx::query(q).bind(code).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(unit_from).transpose()
                }

                async fn units(&mut self, include_inactive: bool) -> Result<Vec<Unit>> {
                    let q = sqlx::AssertSqlSafe(format!(
                        "SELECT {UNIT_COLS} FROM units WHERE active OR $1 ORDER BY name, id"
                    ));
                    let rows = sqlx::query(q).bind(include_inactive).fetch_all(&mut *self.0).await?;
                    rows.iter().map(unit_from).collect()
                }

                async fn ancestry(&mut self, id: i64) -> Result<Vec<i64>> {
                    // Bounded depth guards against a cycle in corrupted data.
                    let rows = sqlx::query(
                        "WITH RECURSIVE up(id, parent_id, depth) AS ( \
                           SELECT id, parent_id, 0 FROM units WHERE id = $1 \
                           UNION ALL \
                           SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id \
                           WHERE up.depth < 64 \
                         ) SELECT id FROM up ORDER BY depth",
                    )
                    .bind(id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(|r| r.try_get::<i64, _>("id").map_err(Into::into)).collect()
                }

                async fn count_active_children(&mut self, id: i64) -> Result<i64> {
                    let r = sqlx::query("SELECT COUNT(*) AS n FROM units WHERE parent_id = $1 AND active")
                        .bind(id)
                        .fetch_one(&mut *self.0)
                        .await?;
                    Ok(r.try_get("n")?)
                }
            }

            #[async_trait]
            impl PersonRead for $t {
                async fn person(&mut self, id: i64) -> Result<Option<Person>> {
                    let q = sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLS} FROM people WHERE id = $1"));
                    let r = sqlx::query(q).bind(id).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(person_from).transpose()
                }

                async fn person_by_username(&mut self, username: &str) -> Result<Option<Person>> {
                    let q = sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLS} FROM people WHERE username = $1"));
                    let r = sqlx::query(q).bind(username).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(person_from).transpose()
                }

                async fn people(&mut self, f: &PeopleFilter) -> Result<Vec<Person>> {
                    let q = sqlx::AssertSqlSafe(format!(
                        "SELECT {PERSON_COLS} FROM people p WHERE {PEOPLE_FILTER} ORDER BY p.full_name, p.id LIMIT $4 OFFSET $5"
                    ));
                    let rows = sqlx::query(q)
                        .bind(f.include_inactive)
                        .bind(f.unit_id)
                        .bind(search_pattern(f))
                        .bind(f.limit)
                        .bind(f.offset)
                        .fetch_all(&mut *self.0)
                        .await?;
                    rows.iter().map(person_from).collect()
                }

                async fn count_people(&mut self, f: &PeopleFilter) -> Result<i64> {
                    let q = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM people p WHERE {PEOPLE_FILTER}"));
                    let r = sqlx::query(q)
                        .bind(f.include_inactive)
                        .bind(f.unit_id)
                        .bind(search_pattern(f))
                        .fetch_one(&mut *self.0)
                        .await?;
                    Ok(r.try_get("n")?)
                }

                async fn memberships(&mut self, person_id: i64) -> Result<Vec<Membership>> {
                    let rows = sqlx::query(
                        "SELECT person_id, unit_id, position, roles, is_primary FROM memberships \
                         WHERE person_id = $1 ORDER BY is_primary DESC, unit_id",
                    )
                    .bind(person_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(membership_from).collect()
                }

                async fn memberships_of_unit(&mut self, unit_id: i64) -> Result<Vec<Membership>> {
                    let rows = sqlx::query(
                        "SELECT person_id, unit_id, position, roles, is_primary FROM memberships \
                         WHERE unit_id = $1 ORDER BY person_id",
                    )
                    .bind(unit_id)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(membership_from).collect()
                }

                async fn all_memberships(&mut self) -> Result<Vec<Membership>> {
                    let rows = sqlx::query(
                        "SELECT person_id, unit_id, position, roles, is_primary FROM memberships ORDER BY person_id, is_primary DESC, unit_id",
                    )
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(membership_from).collect()
                }
            }

            #[async_trait]
            impl AuthRead for $t {
                async fn credentials(&mut self, username: &str) -> Result<Option<Credentials>> {
                    let r = sqlx::query(
                        "SELECT id, password_hash, failed_logins, locked_until, active FROM people WHERE username = $1",
                    )
                    .bind(username)
                    .fetch_optional(&mut *self.0)
                    .await?;
                    r.map(|r| -> Result<Credentials> {
                        Ok(Credentials {
                            person_id: r.try_get("id")?,
                            password_hash: r.try_get("password_hash")?,
                            failed_logins: r.try_get("failed_logins")?,
                            locked_until: r.try_get("locked_until")?,
                            active: r.try_get("active")?,
                        })
                    })
                    .transpose()
                }

                async fn token(&mut self, token_hash: &str) -> Result<Option<Token>> {
                    let r = sqlx::query(
                        "SELECT person_id, kind, csrf, created_at, expires_at, revoked_at FROM tokens WHERE token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&mut *self.0)
                    .await?;
                    r.map(|r| -> Result<Token> {
                        let kind: String = r.try_get("kind")?;
                        Ok(Token {
                            person_id: r.try_get("person_id")?,
                            kind: if kind == "web" { TokenKind::Web } else { TokenKind::Api },
                            csrf: r.try_get("csrf")?,
                            created_at: r.try_get("created_at")?,
                            expires_at: r.try_get("expires_at")?,
                            revoked_at: r.try_get("revoked_at")?,
                        })
                    })
                    .transpose()
                }

                async fn login_events(&mut self, since: i64, until: i64) -> Result<Vec<LoginEvent>> {
                    let rows = sqlx::query(
                        "SELECT id, at, username, person_id, unit_id, success, reason, channel, ip FROM login_events \
                         WHERE at >= $1 AND at < $2 ORDER BY id",
                    )
                    .bind(since)
                    .bind(until)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter()
                        .map(|r| -> Result<LoginEvent> {
                            Ok(LoginEvent {
                                id: r.try_get("id")?,
                                at: r.try_get("at")?,
                                username: r.try_get("username")?,
                                person_id: r.try_get("person_id")?,
                                unit_id: r.try_get("unit_id")?,
                                success: r.try_get("success")?,
                                reason: r.try_get("reason")?,
                                channel: r.try_get("channel")?,
                                ip: r.try_get("ip")?,
                            })
                        })
                        .collect()
                }
            }

            #[async_trait]
            impl HistoryRead for $t {
                async fn events_for(&mut self, entity: &str, entity_id: i64, limit: i64) -> Result<Vec<Event>> {
                    let rows = sqlx::query(
                        "SELECT id, at, actor_id, action, entity, entity_id, summary, details FROM events \
                         WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT $3",
                    )
                    .bind(entity)
                    .bind(entity_id)
                    .bind(limit)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(event_from).collect()
                }

                async fn recent_events(&mut self, limit: i64) -> Result<Vec<Event>> {
                    let rows = sqlx::query(
                        "SELECT id, at, actor_id, action, entity, entity_id, summary, details FROM events \
                         ORDER BY id DESC LIMIT $1",
                    )
                    .bind(limit)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(event_from).collect()
                }
            }

            fn register_from(r: &DbRow) -> Result<Register> {
                Ok(Register {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    kind: vanthu_domain::numbering::RegisterKind::parse(r.try_get::<String, _>("kind")?.as_str())
                        .map_err(|e| corrupt("kind", e))?,
                    period: r.try_get("period")?,
                    secret: r.try_get("secret")?,
                    series: r.try_get("series")?,
                    name: r.try_get("name")?,
                    next_number: r.try_get("next_number")?,
                    active: r.try_get("active")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            fn entry_from(r: &DbRow) -> Result<RegisterEntry> {
                Ok(RegisterEntry {
                    register_id: r.try_get("register_id")?,
                    number: r.try_get("number")?,
                    notation: r.try_get("notation")?,
                    status: r.try_get("status")?,
                    reason: r.try_get("reason")?,
                    taken_by: r.try_get("taken_by")?,
                    taken_at: r.try_get("taken_at")?,
                    cancelled_by: r.try_get("cancelled_by")?,
                    cancelled_at: r.try_get("cancelled_at")?,
                })
            }

            const REGISTER_COLS: &str = "id, unit_id, kind, period, secret, series, name, next_number, active, created_at";
            const ENTRY_COLS: &str = "register_id, number, notation, status, reason, taken_by, taken_at, cancelled_by, cancelled_at";

            #[async_trait]
            impl RegisterRead for $t {
                async fn register(&mut self, id: i64) -> Result<Option<Register>> {
                    let q = sqlx::AssertSqlSafe(format!("SELECT {REGISTER_COLS} FROM registers WHERE id = $1"));
                    let r = sqlx::query(q).bind(id).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(register_from).transpose()
                }

                async fn registers_of_unit(&mut self, unit_id: i64) -> Result<Vec<Register>> {
                    let q = sqlx::AssertSqlSafe(format!(
                        "SELECT {REGISTER_COLS} FROM registers WHERE unit_id = $1 ORDER BY period DESC, kind, secret, series, id"
                    ));
                    let rows = sqlx::query(q).bind(unit_id).fetch_all(&mut *self.0).await?;
                    rows.iter().map(register_from).collect()
                }

                async fn register_entries(&mut self, register_id: i64, limit: i64, offset: i64) -> Result<Vec<RegisterEntry>> {
                    let q = sqlx::AssertSqlSafe(format!(
                        "SELECT {ENTRY_COLS} FROM register_entries WHERE register_id = $1 ORDER BY number DESC LIMIT $2 OFFSET $3"
                    ));
                    let rows = sqlx::query(q).bind(register_id).bind(limit).bind(offset).fetch_all(&mut *self.0).await?;
                    rows.iter().map(entry_from).collect()
                }

                async fn register_entry(&mut self, register_id: i64, number: i64) -> Result<Option<RegisterEntry>> {
                    let q = sqlx::AssertSqlSafe(format!(
                        "SELECT {ENTRY_COLS} FROM register_entries WHERE register_id = $1 AND number = $2"
                    ));
                    let r = sqlx::query(q).bind(register_id).bind(number).fetch_optional(&mut *self.0).await?;
                    r.as_ref().map(entry_from).transpose()
                }
            }

            fn doc_type_from(r: &DbRow) -> Result<DocumentType> {
                Ok(DocumentType {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    state_abbr: r.try_get("state_abbr")?,
                    party_abbr: r.try_get("party_abbr")?,
                    builtin: r.try_get("builtin")?,
                    active: r.try_get("active")?,
                    created_at: r.try_get("created_at")?,
                })
            }

            #[async_trait]
            impl DocumentTypeRead for $t {
                async fn document_types(&mut self, include_inactive: bool) -> Result<Vec<DocumentType>> {
                    let rows = sqlx::query(
                        "SELECT code, name, state_abbr, party_abbr, builtin, active, created_at FROM document_types \
                         WHERE active OR $1 ORDER BY name, code",
                    )
                    .bind(include_inactive)
                    .fetch_all(&mut *self.0)
                    .await?;
                    rows.iter().map(doc_type_from).collect()
                }

                async fn document_type(&mut self, code: &str) -> Result<Option<DocumentType>> {
                    let r = sqlx::query(
                        "SELECT code, name, state_abbr, party_abbr, builtin, active, created_at FROM document_types WHERE code = $1",
                    )
                    .bind(code)
                    .fetch_optional(&mut *self.0)
                    .await?;
                    r.as_ref().map(doc_type_from).transpose()
                }
            }

            impl ReadTx for $t {}
        };
    };

    (@write $db:ty, $t:ty, $org_lock:literal) => {
        const _: () = {
            use crate::model::*;
            use crate::repos::*;
            use crate::{Result, StoreError};
            use async_trait::async_trait;
            use sqlx::Row;
            use vanthu_domain::access::{AdminGrant, ClerkGrant, PersonGrant};

            fn expect_one(rows: u64) -> Result<()> {
                if rows == 1 { Ok(()) } else { Err(StoreError::NotFound) }
            }

            #[async_trait]
            impl UnitWrite for $t {
                async fn lock_organisation(&mut self) -> Result<()> {
                    sqlx::query($org_lock).execute(&mut *self.0).await?;
                    Ok(())
                }

                async fn insert_unit(&mut self, at: Placement<'_>, f: &UnitFields, now: i64) -> Result<i64> {
                    self.1.touch();
                    let r = sqlx::query(
                        "INSERT INTO units (key, code, code_format, old_code, name, short_name, kind, side, parent_id, \
                         active, valid_from, valid_to, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $11, $12, $12) RETURNING id",
                    )
                    .bind(&f.key)
                    .bind(&f.code)
                    .bind(f.code_format.as_str())
                    .bind(&f.old_code)
                    .bind(&f.name)
                    .bind(&f.short_name)
                    .bind(f.kind.code())
                    .bind(f.side.code())
                    .bind(at.parent_id())
                    .bind(&f.valid_from)
                    .bind(&f.valid_to)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn update_unit(&mut self, g: &AdminGrant, f: &UnitFields, now: i64) -> Result<()> {
                    self.1.touch();
                    let r = sqlx::query(
                        "UPDATE units SET key = $1, code = $2, code_format = $3, old_code = $4, name = $5, short_name = $6, \
                         kind = $7, side = $8, valid_from = $9, valid_to = $10, updated_at = $11 WHERE id = $12",
                    )
                    .bind(&f.key)
                    .bind(&f.code)
                    .bind(f.code_format.as_str())
                    .bind(&f.old_code)
                    .bind(&f.name)
                    .bind(&f.short_name)
                    .bind(f.kind.code())
                    .bind(f.side.code())
                    .bind(&f.valid_from)
                    .bind(&f.valid_to)
                    .bind(now)
                    .bind(g.unit_id())
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }

                async fn move_unit(&mut self, g: &AdminGrant, to: Placement<'_>, now: i64) -> Result<()> {
                    self.1.touch();
                    let r = sqlx::query("UPDATE units SET parent_id = $1, updated_at = $2 WHERE id = $3")
                        .bind(to.parent_id())
                        .bind(now)
                        .bind(g.unit_id())
                        .execute(&mut *self.0)
                        .await?;
                    expect_one(r.rows_affected())
                }

                async fn set_unit_active(&mut self, g: &AdminGrant, active: bool, now: i64) -> Result<()> {
                    self.1.touch();
                    let r = sqlx::query("UPDATE units SET active = $1, updated_at = $2 WHERE id = $3")
                        .bind(active)
                        .bind(now)
                        .bind(g.unit_id())
                        .execute(&mut *self.0)
                        .await?;
                    expect_one(r.rows_affected())
                }
            }

            #[async_trait]
            impl PersonWrite for $t {
                async fn insert_person(
                    &mut self,
                    _by: Placement<'_>,
                    username: &str,
                    f: &PersonFields,
                    password_hash: Option<&str>,
                    must_change_password: bool,
                    now: i64,
                ) -> Result<i64> {
                    self.1.touch();
                    let r = sqlx::query(
                        "INSERT INTO people (username, full_name, email, phone, clearance, system_admin, active, \
                         password_hash, must_change_password, created_at, updated_at, search) \
                         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8, $9, $9, $10) RETURNING id",
                    )
                    .bind(username)
                    .bind(&f.full_name)
                    .bind(&f.email)
                    .bind(&f.phone)
                    .bind(f.clearance.code())
                    .bind(f.system_admin)
                    .bind(password_hash)
                    .bind(must_change_password)
                    .bind(now)
                    .bind(vanthu_domain::text::fold_ascii(&format!("{username} {}", f.full_name)))
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn update_person(&mut self, g: &PersonGrant, f: &PersonFields, now: i64) -> Result<()> {
                    self.1.touch();
                    let r = sqlx::query(
                        "UPDATE people SET full_name = $1, email = $2, phone = $3, clearance = $4, system_admin = $5, \
                         updated_at = $6, search = username || ' ' || $8 WHERE id = $7",
                    )
                    .bind(&f.full_name)
                    .bind(&f.email)
                    .bind(&f.phone)
                    .bind(f.clearance.code())
                    .bind(f.system_admin)
                    .bind(now)
                    .bind(g.person_id())
                    // Usernames are lowercase ASCII already and never change.
                    .bind(vanthu_domain::text::fold_ascii(&f.full_name))
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }

                async fn set_person_active(&mut self, g: &PersonGrant, active: bool, now: i64) -> Result<()> {
                    self.1.touch();
                    let r = sqlx::query("UPDATE people SET active = $1, updated_at = $2 WHERE id = $3")
                        .bind(active)
                        .bind(now)
                        .bind(g.person_id())
                        .execute(&mut *self.0)
                        .await?;
                    expect_one(r.rows_affected())
                }

                async fn set_password(&mut self, g: &PersonGrant, hash: &str, must_change: bool, now: i64) -> Result<()> {
                    self.1.touch();
                    let r = sqlx::query(
                        "UPDATE people SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
                         locked_until = 0, updated_at = $3 WHERE id = $4",
                    )
                    .bind(hash)
                    .bind(must_change)
                    .bind(now)
                    .bind(g.person_id())
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }

                async fn put_membership(&mut self, person_id: i64, unit: &AdminGrant, f: &MembershipFields) -> Result<()> {
                    self.1.touch();
                    if f.is_primary {
                        sqlx::query("UPDATE memberships SET is_primary = FALSE WHERE person_id = $1 AND unit_id <> $2")
                            .bind(person_id)
                            .bind(unit.unit_id())
                            .execute(&mut *self.0)
                            .await?;
                    }
                    sqlx::query(
                        "INSERT INTO memberships (person_id, unit_id, position, roles, is_primary) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (person_id, unit_id) DO UPDATE SET position = excluded.position, roles = excluded.roles, \
                         is_primary = excluded.is_primary",
                    )
                    .bind(person_id)
                    .bind(unit.unit_id())
                    .bind(&f.position)
                    .bind(vanthu_domain::org::roles_to_string(&f.roles))
                    .bind(f.is_primary)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn remove_membership(&mut self, person_id: i64, unit: &AdminGrant) -> Result<()> {
                    self.1.touch();
                    let r = sqlx::query("DELETE FROM memberships WHERE person_id = $1 AND unit_id = $2")
                        .bind(person_id)
                        .bind(unit.unit_id())
                        .execute(&mut *self.0)
                        .await?;
                    expect_one(r.rows_affected())
                }
            }

            #[async_trait]
            impl AuthWrite for $t {
                async fn reserve_attempt(&mut self, person_id: i64, now: i64) -> Result<Option<i64>> {
                    let r = sqlx::query(
                        "UPDATE people SET failed_logins = failed_logins + 1 WHERE id = $1 AND locked_until <= $2 \
                         RETURNING failed_logins",
                    )
                    .bind(person_id)
                    .bind(now)
                    .fetch_optional(&mut *self.0)
                    .await?;
                    r.map(|r| r.try_get::<i64, _>("failed_logins").map_err(Into::into)).transpose()
                }

                async fn set_login_state(&mut self, person_id: i64, failed: i64, locked_until: i64) -> Result<()> {
                    sqlx::query("UPDATE people SET failed_logins = $1, locked_until = $2 WHERE id = $3")
                        .bind(failed)
                        .bind(locked_until)
                        .bind(person_id)
                        .execute(&mut *self.0)
                        .await?;
                    Ok(())
                }

                async fn insert_login_event(&mut self, e: &LoginEvent) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO login_events (at, username, person_id, unit_id, success, reason, channel, ip) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(e.at)
                    .bind(&e.username)
                    .bind(e.person_id)
                    .bind(e.unit_id)
                    .bind(e.success)
                    .bind(&e.reason)
                    .bind(&e.channel)
                    .bind(&e.ip)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn insert_token(
                    &mut self,
                    token_hash: &str,
                    person_id: i64,
                    kind: TokenKind,
                    csrf: Option<&str>,
                    now: i64,
                    expires_at: i64,
                ) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO tokens (token_hash, person_id, kind, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(token_hash)
                    .bind(person_id)
                    .bind(kind.code())
                    .bind(csrf)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn revoke_token(&mut self, token_hash: &str, now: i64) -> Result<bool> {
                    self.1.touch();
                    let r = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
                        .bind(now)
                        .bind(token_hash)
                        .execute(&mut *self.0)
                        .await?;
                    Ok(r.rows_affected() == 1)
                }

                async fn revoke_person_tokens(&mut self, person_id: i64, now: i64) -> Result<u64> {
                    self.1.touch();
                    let r = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL")
                        .bind(now)
                        .bind(person_id)
                        .execute(&mut *self.0)
                        .await?;
                    Ok(r.rows_affected())
                }
            }

            #[async_trait]
            impl HistoryWrite for $t {
                async fn append_event(&mut self, e: &NewEvent<'_>, now: i64) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO events (at, actor_id, action, entity, entity_id, summary, details) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(now)
                    .bind(e.actor_id)
                    .bind(e.action)
                    .bind(e.entity)
                    .bind(e.entity_id)
                    .bind(&e.summary)
                    .bind(e.details.to_string())
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }
            }

            #[async_trait]
            impl RegisterWrite for $t {
                async fn insert_register(&mut self, unit: &AdminGrant, f: &RegisterFields, now: i64) -> Result<i64> {
                    let r = sqlx::query(
                        "INSERT INTO registers (unit_id, kind, period, secret, series, name, next_number, active, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, 1, TRUE, $7) RETURNING id",
                    )
                    .bind(unit.unit_id())
                    .bind(f.kind.code())
                    .bind(&f.period)
                    .bind(f.secret)
                    .bind(&f.series)
                    .bind(&f.name)
                    .bind(now)
                    .fetch_one(&mut *self.0)
                    .await?;
                    Ok(r.try_get("id")?)
                }

                async fn take_number(&mut self, clerk: &ClerkGrant, register_id: i64, by: i64, now: i64) -> Result<Option<i64>> {
                    let r = sqlx::query(
                        "UPDATE registers SET next_number = next_number + 1 WHERE id = $1 AND unit_id = $2 AND active \
                         RETURNING next_number - 1 AS n",
                    )
                    .bind(register_id)
                    .bind(clerk.unit_id())
                    .fetch_optional(&mut *self.0)
                    .await?;
                    let Some(r) = r else { return Ok(None) };
                    let n: i64 = r.try_get("n")?;
                    sqlx::query(
                        "INSERT INTO register_entries (register_id, number, status, taken_by, taken_at) VALUES ($1, $2, 'reserved', $3, $4)",
                    )
                    .bind(register_id)
                    .bind(n)
                    .bind(by)
                    .bind(now)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(Some(n))
                }

                async fn set_entry_notation(&mut self, register_id: i64, number: i64, notation: &str) -> Result<()> {
                    let r = sqlx::query("UPDATE register_entries SET notation = $1 WHERE register_id = $2 AND number = $3")
                        .bind(notation)
                        .bind(register_id)
                        .bind(number)
                        .execute(&mut *self.0)
                        .await?;
                    expect_one(r.rows_affected())
                }

                async fn cancel_number(
                    &mut self,
                    clerk: &ClerkGrant,
                    register_id: i64,
                    number: i64,
                    reason: &str,
                    by: i64,
                    now: i64,
                ) -> Result<bool> {
                    let r = sqlx::query(
                        "UPDATE register_entries SET status = 'cancelled', reason = $1, cancelled_by = $2, cancelled_at = $3 \
                         WHERE register_id = $4 AND number = $5 AND status = 'reserved' \
                         AND register_id IN (SELECT id FROM registers WHERE unit_id = $6)",
                    )
                    .bind(reason)
                    .bind(by)
                    .bind(now)
                    .bind(register_id)
                    .bind(number)
                    .bind(clerk.unit_id())
                    .execute(&mut *self.0)
                    .await?;
                    Ok(r.rows_affected() == 1)
                }
            }

            #[async_trait]
            impl DocumentTypeWrite for $t {
                async fn insert_document_type(
                    &mut self,
                    _g: &vanthu_domain::access::SystemGrant,
                    code: &str,
                    f: &DocumentTypeFields,
                    now: i64,
                ) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO document_types (code, name, state_abbr, party_abbr, builtin, active, created_at) \
                         VALUES ($1, $2, $3, $4, FALSE, $5, $6)",
                    )
                    .bind(code)
                    .bind(&f.name)
                    .bind(&f.state_abbr)
                    .bind(&f.party_abbr)
                    .bind(f.active)
                    .bind(now)
                    .execute(&mut *self.0)
                    .await?;
                    Ok(())
                }

                async fn update_document_type(
                    &mut self,
                    _g: &vanthu_domain::access::SystemGrant,
                    code: &str,
                    f: &DocumentTypeFields,
                ) -> Result<()> {
                    let r = sqlx::query(
                        "UPDATE document_types SET name = $1, state_abbr = $2, party_abbr = $3, active = $4 WHERE code = $5",
                    )
                    .bind(&f.name)
                    .bind(&f.state_abbr)
                    .bind(&f.party_abbr)
                    .bind(f.active)
                    .bind(code)
                    .execute(&mut *self.0)
                    .await?;
                    expect_one(r.rows_affected())
                }
            }

            #[async_trait]
            impl WriteTx for $t {
                async fn commit(self: Box<Self>) -> Result<()> {
                    // Each backend makes the transaction durable, then moves the generation if it was touched.
                    self.finish().await
                }
            }
        };
    };
}

pub(crate) use impl_repos;
