//! One conformance suite for every storage backend: SQLite always, PostgreSQL when
//! `VANTHU_TEST_DATABASE_URL` is set. Each case runs on a fresh database.

use vanthu_domain::access::Actor;
use vanthu_domain::{Clearance, CodeFormat, Role, Secrecy, Side, UnitKind};
use vanthu_store::testkit::TestDb;
use vanthu_store::*;

fn sysadmin() -> Actor {
    Actor {
        person_id: 0,
        username: "root".into(),
        full_name: "Root".into(),
        clearance: Clearance::NONE,
        system_admin: true,
        must_change_password: false,
        memberships: vec![],
    }
}

fn fields(key: &str, code: Option<&str>, name: &str) -> UnitFields {
    UnitFields {
        key: key.into(),
        code: code.map(Into::into),
        code_format: CodeFormat::Axis,
        old_code: None,
        name: name.into(),
        short_name: None,
        kind: UnitKind::Agency,
        side: Side::Party,
        valid_from: None,
        valid_to: None,
    }
}

async fn each_backend<F, Fut>(f: F)
where
    F: Fn(Box<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all().await {
        let store = open(&db.url).await.expect("open");
        eprintln!("backend: {}", store.backend());
        let s: Box<dyn Store> = store;
        f(s).await;
    }
}

#[tokio::test]
async fn units_tree_and_ancestry() {
    each_backend(|s| async move {
        let admin = sysadmin();
        let root_grant = admin.system_grant().unwrap();
        let mut tx = s.write().await.unwrap();
        let a = tx
            .insert_unit(
                Placement::Root(&root_grant),
                &fields("a", Some("000.00.00.G01"), "Ăn"),
                1,
            )
            .await
            .unwrap();
        let ga = admin.admin_grant(&tx.ancestry(a).await.unwrap()).unwrap();
        let b = tx
            .insert_unit(Placement::Under(&ga), &fields("a.b", None, "Bình"), 2)
            .await
            .unwrap();
        let gb = admin.admin_grant(&tx.ancestry(b).await.unwrap()).unwrap();
        let c = tx
            .insert_unit(Placement::Under(&gb), &fields("a.b.c", None, "Cường"), 3)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut r = s.read().await.unwrap();
        assert_eq!(r.ancestry(c).await.unwrap(), vec![c, b, a]);
        assert_eq!(r.ancestry(9999).await.unwrap(), Vec::<i64>::new());
        let u = r.unit_by_key("a.b").await.unwrap().unwrap();
        assert_eq!(u.parent_id, Some(a));
        assert_eq!(u.name, "Bình");
        assert_eq!(
            r.unit_by_code("000.00.00.G01").await.unwrap().unwrap().id,
            a
        );
        assert_eq!(r.units(false).await.unwrap().len(), 3);
        assert_eq!(r.count_active_children(a).await.unwrap(), 1);
        drop(r);

        // Duplicate key and code are reported by column, and the transaction is not kept.
        let mut tx = s.write().await.unwrap();
        let e = tx
            .insert_unit(Placement::Root(&root_grant), &fields("a", None, "x"), 4)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Duplicate("key")), "{e:?}");
        drop(tx);
        let mut tx = s.write().await.unwrap();
        let e = tx
            .insert_unit(
                Placement::Root(&root_grant),
                &fields("z", Some("000.00.00.G01"), "x"),
                4,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Duplicate("code")), "{e:?}");
        drop(tx);

        // Move c to the root, deactivate b; an uncommitted change is rolled back.
        let mut tx = s.write().await.unwrap();
        let gc = admin.admin_grant(&tx.ancestry(c).await.unwrap()).unwrap();
        tx.move_unit(&gc, Placement::Root(&root_grant), 5)
            .await
            .unwrap();
        let gb = admin.admin_grant(&tx.ancestry(b).await.unwrap()).unwrap();
        tx.set_unit_active(&gb, false, 5).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = s.write().await.unwrap();
        let mut f = fields("renamed", None, "Đổi tên");
        f.old_code = Some("000.00.00.G99".into());
        let ga = admin.admin_grant(&tx.ancestry(a).await.unwrap()).unwrap();
        tx.update_unit(&ga, &f, 6).await.unwrap();
        drop(tx); // no commit
        let mut r = s.read().await.unwrap();
        assert_eq!(r.ancestry(c).await.unwrap(), vec![c]);
        assert_eq!(r.units(false).await.unwrap().len(), 2);
        assert_eq!(r.units(true).await.unwrap().len(), 3);
        assert_eq!(r.unit(a).await.unwrap().unwrap().key, "a");
    })
    .await;
}

#[tokio::test]
async fn people_memberships_tokens_and_history() {
    each_backend(|s| async move {
        let admin = sysadmin();
        let sg = admin.system_grant().unwrap();
        let mut tx = s.write().await.unwrap();
        let u = tx
            .insert_unit(Placement::Root(&sg), &fields("u", None, "Văn phòng"), 1)
            .await
            .unwrap();
        let pf = PersonFields {
            full_name: "Nguyễn Thị Hạnh".into(),
            email: Some("hanh@example.vn".into()),
            phone: None,
            clearance: Clearance(Some(Secrecy::ToiMat)),
            system_admin: false,
        };
        let p = tx
            .insert_person(
                Placement::Root(&sg),
                "hanh",
                &pf,
                Some("$argon2id$x"),
                true,
                1,
            )
            .await
            .unwrap();
        let gu = admin.admin_grant(&tx.ancestry(u).await.unwrap()).unwrap();
        tx.put_membership(
            p,
            &gu,
            &MembershipFields {
                position: Some("Chánh Văn phòng".into()),
                roles: vec![Role::Clerk, Role::Leader],
                is_primary: true,
            },
        )
        .await
        .unwrap();
        let e = tx
            .insert_person(Placement::Root(&sg), "hanh", &pf, None, false, 1)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Duplicate("username")), "{e:?}");
        drop(tx);

        // The duplicate failed, so the whole transaction is gone: write again properly.
        let mut tx = s.write().await.unwrap();
        let u = tx
            .insert_unit(Placement::Root(&sg), &fields("u", None, "Văn phòng"), 1)
            .await
            .unwrap();
        let p = tx
            .insert_person(
                Placement::Root(&sg),
                "hanh",
                &pf,
                Some("$argon2id$x"),
                true,
                1,
            )
            .await
            .unwrap();
        let gu = admin.admin_grant(&tx.ancestry(u).await.unwrap()).unwrap();
        tx.put_membership(
            p,
            &gu,
            &MembershipFields {
                position: Some("Chánh Văn phòng".into()),
                roles: vec![Role::Clerk, Role::Leader],
                is_primary: true,
            },
        )
        .await
        .unwrap();
        tx.insert_token("h1", p, TokenKind::Api, None, 10, 100)
            .await
            .unwrap();
        tx.append_event(
            &NewEvent {
                actor_id: None,
                action: "person.create",
                entity: "person",
                entity_id: p,
                summary: "Tạo tài khoản".into(),
                details: serde_json::json!({"username": "hanh"}),
            },
            10,
        )
        .await
        .unwrap();
        tx.insert_login_event(&LoginEvent {
            id: 0,
            at: 11,
            username: "hanh".into(),
            person_id: Some(p),
            unit_id: Some(u),
            success: true,
            reason: "ok".into(),
            channel: "api".into(),
            ip: Some("127.0.0.1".into()),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut r = s.read().await.unwrap();
        let got = r.person_by_username("hanh").await.unwrap().unwrap();
        assert_eq!(got.full_name, "Nguyễn Thị Hạnh");
        assert_eq!(got.clearance, Clearance(Some(Secrecy::ToiMat)));
        assert!(got.must_change_password);
        let ms = r.memberships(p).await.unwrap();
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].roles, vec![Role::Clerk, Role::Leader]);
        assert_eq!(r.memberships_of_unit(u).await.unwrap().len(), 1);
        let filt = PeopleFilter {
            unit_id: Some(u),
            include_inactive: false,
            query: Some("HẠNH".to_lowercase()),
            limit: 10,
            offset: 0,
        };
        assert_eq!(r.people(&filt).await.unwrap().len(), 1);
        assert_eq!(r.count_people(&filt).await.unwrap(), 1);
        // Search folds diacritics on every backend, and LIKE wildcards in the text are literal.
        for (q, n) in [
            ("nguyen thi", 1),
            ("Nguyễn Thị", 1),
            ("ĐẶNG", 0),
            ("%", 0),
            ("_", 0),
            ("hanh", 1),
        ] {
            let f = PeopleFilter {
                query: Some(q.into()),
                limit: 10,
                ..Default::default()
            };
            assert_eq!(r.count_people(&f).await.unwrap(), n, "{q}");
        }
        let t = r.token("h1").await.unwrap().unwrap();
        assert_eq!(t.person_id, p);
        assert!(t.revoked_at.is_none());
        let ev = r.events_for("person", p, 10).await.unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].summary, "Tạo tài khoản");
        let le = r.login_events(0, 100).await.unwrap();
        assert_eq!(le.len(), 1);
        assert!(le[0].success);
        let c = r.credentials("hanh").await.unwrap().unwrap();
        assert_eq!(c.password_hash.as_deref(), Some("$argon2id$x"));
        drop(r);

        let mut tx = s.write().await.unwrap();
        assert!(tx.revoke_token("h1", 20).await.unwrap());
        assert!(!tx.revoke_token("h1", 21).await.unwrap());
        tx.set_login_state(p, 3, 999).await.unwrap();
        tx.commit().await.unwrap();
        let mut r = s.read().await.unwrap();
        assert_eq!(r.token("h1").await.unwrap().unwrap().revoked_at, Some(20));
        assert_eq!(
            r.credentials("hanh").await.unwrap().unwrap().locked_until,
            999
        );
    })
    .await;
}

#[tokio::test]
async fn reopening_keeps_data_and_migrations_are_idempotent() {
    let db = TestDb::sqlite();
    {
        let s = open(&db.url).await.unwrap();
        let sg = sysadmin().system_grant().unwrap();
        let mut tx = s.write().await.unwrap();
        tx.insert_unit(Placement::Root(&sg), &fields("k", None, "Kept"), 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        s.close().await;
    }
    let s = open(&db.url).await.unwrap();
    assert!(
        s.read()
            .await
            .unwrap()
            .unit_by_key("k")
            .await
            .unwrap()
            .is_some()
    );
    assert!(open("mysql://x").await.is_err());
}

#[tokio::test]
async fn commits_move_the_write_generation_and_rollbacks_do_not() {
    each_backend(|s| async move {
        let sg = sysadmin().system_grant().unwrap();
        let g0 = s.generation();
        let mut tx = s.write().await.unwrap();
        tx.insert_unit(Placement::Root(&sg), &fields("g", None, "G"), 1)
            .await
            .unwrap();
        drop(tx);
        assert_eq!(
            s.generation(),
            g0,
            "a rolled-back transaction changes nothing"
        );
        let mut tx = s.write().await.unwrap();
        tx.insert_unit(Placement::Root(&sg), &fields("g", None, "G"), 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.generation(), g0 + 1);
        // Documents, registers and history do not hold what the caches hold: they leave it alone.
        let mut tx = s.write().await.unwrap();
        tx.append_event(&event(1), 2).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.generation(), g0 + 1, "history alone does not move it");
    })
    .await;
}

fn event(i: i64) -> NewEvent<'static> {
    NewEvent {
        actor_id: None,
        action: "test",
        entity: "test",
        entity_id: i,
        summary: format!("sự kiện {i}"),
        details: serde_json::json!({ "i": i }),
    }
}

/// Many writers at once, as a busy day has them: each gets exactly what it asked for — a commit is kept
/// and visible as soon as it answers, a dropped transaction (also one that failed half-way) leaves nothing,
/// whichever others it was committed together with.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_keep_what_they_commit_and_nothing_of_what_they_drop() {
    for db in TestDb::all().await {
        let s: std::sync::Arc<dyn Store> = std::sync::Arc::from(open(&db.url).await.unwrap());
        eprintln!("backend: {}", s.backend());
        let g0 = s.generation();
        let mut tasks = Vec::new();
        for i in 0..300i64 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                let sg = sysadmin().system_grant().unwrap();
                let mut tx = s.write().await.unwrap();
                tx.append_event(&event(i), 1).await.unwrap();
                match i % 3 {
                    0 => {
                        tx.commit().await.unwrap();
                        let mut r = s.read().await.unwrap();
                        let seen = r.events_for("test", i, 5).await.unwrap();
                        assert_eq!(seen.len(), 1, "a commit is visible once it answers");
                        true
                    }
                    1 => {
                        drop(tx);
                        false
                    }
                    _ => {
                        let key = format!("u{i}");
                        tx.insert_unit(Placement::Root(&sg), &fields(&key, None, "Đơn vị"), 1)
                            .await
                            .unwrap();
                        let again = tx
                            .insert_unit(Placement::Root(&sg), &fields(&key, None, "Đơn vị"), 1)
                            .await;
                        assert!(matches!(again, Err(StoreError::Duplicate(_))));
                        drop(tx);
                        false
                    }
                }
            }));
        }
        let mut kept = Vec::new();
        for (i, t) in tasks.into_iter().enumerate() {
            kept.push((i as i64, t.await.unwrap()));
        }
        let mut r = s.read().await.unwrap();
        for (i, committed) in kept {
            let seen = r.events_for("test", i, 5).await.unwrap().len();
            assert_eq!(seen, usize::from(committed), "event {i}");
            if i % 3 == 2 {
                assert!(r.unit_by_key(&format!("u{i}")).await.unwrap().is_none());
            }
        }
        assert_eq!(s.generation(), g0, "nothing kept touched units or people");
        drop(r);
        s.close().await;
    }
}

#[tokio::test]
async fn numbers_are_gap_free_across_rollbacks_and_cancelled_ones_stay_taken() {
    each_backend(|s| async move {
        use vanthu_domain::Role;
        use vanthu_domain::access::MembershipView;
        use vanthu_domain::numbering::RegisterKind;
        let admin = sysadmin();
        let sg = admin.system_grant().unwrap();
        let mut tx = s.write().await.unwrap();
        let u = tx
            .insert_unit(Placement::Root(&sg), &fields("u", None, "Văn phòng"), 1)
            .await
            .unwrap();
        let g = admin.admin_grant(&tx.ancestry(u).await.unwrap()).unwrap();
        let f = RegisterFields {
            kind: RegisterKind::Outgoing,
            period: "2026".into(),
            secret: false,
            series: String::new(),
            name: "Sổ đi".into(),
        };
        let reg = tx.insert_register(&g, &f, 1).await.unwrap();
        let e = tx.insert_register(&g, &f, 1).await.unwrap_err();
        assert!(matches!(e, StoreError::Duplicate("register")), "{e:?}");
        drop(tx);
        let mut tx = s.write().await.unwrap();
        let u = tx
            .insert_unit(Placement::Root(&sg), &fields("u", None, "Văn phòng"), 1)
            .await
            .unwrap();
        let g = admin.admin_grant(&tx.ancestry(u).await.unwrap()).unwrap();
        let reg2 = tx.insert_register(&g, &f, 1).await.unwrap();
        tx.commit().await.unwrap();
        let _ = reg;

        let mut clerk = sysadmin();
        clerk.system_admin = false;
        clerk.memberships = vec![MembershipView {
            unit_id: u,
            roles: vec![Role::Clerk],
        }];
        let cg = clerk.clerk_grant(u, false).unwrap();
        let mut tx = s.write().await.unwrap();
        assert_eq!(tx.take_number(&cg, reg2, 7, 2).await.unwrap(), Some(1));
        drop(tx); // rolled back: number 1 is free again
        let mut tx = s.write().await.unwrap();
        assert_eq!(tx.take_number(&cg, reg2, 7, 2).await.unwrap(), Some(1));
        assert_eq!(tx.take_number(&cg, reg2, 7, 2).await.unwrap(), Some(2));
        assert!(
            tx.cancel_number(&cg, reg2, 1, "không dùng", 7, 3)
                .await
                .unwrap()
        );
        assert!(
            !tx.cancel_number(&cg, reg2, 1, "lần hai", 7, 3)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let mut tx = s.write().await.unwrap();
        assert_eq!(tx.take_number(&cg, reg2, 7, 4).await.unwrap(), Some(3));
        tx.commit().await.unwrap();
        let mut r = s.read().await.unwrap();
        let entries = r.register_entries(reg2, 10, 0).await.unwrap();
        assert_eq!(
            entries.iter().map(|e| e.number).collect::<Vec<_>>(),
            vec![3, 2, 1]
        );
        assert_eq!(entries[2].status, "cancelled");
        assert_eq!(entries[2].reason.as_deref(), Some("không dùng"));
        assert_eq!(r.register(reg2).await.unwrap().unwrap().next_number, 4);
    })
    .await;
}
