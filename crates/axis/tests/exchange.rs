//! Two and three systems exchanging real packages through a real axis on loopback, with the client, on SQLite and
//! (when configured) PostgreSQL.

mod common;

use common::*;
use vanthu_axis::{AgencyRegistration, MessageType};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_goes_to_its_recipient_and_a_status_comes_back() {
    for db in TestDb::all().await {
        let ax = Axis::start(&db).await;
        let (g22, h41, h17) = (ax.g22(), ax.h41(), ax.h17());

        let doc_id = g22.send_edoc(MessageType::Edoc, EDOC).await.unwrap();
        assert_eq!(doc_id.len(), 36, "{}", db.label);

        // Listed for the recipient only.
        let list = h41.received_list(MessageType::Edoc).await.unwrap();
        assert_eq!(list.len(), 1, "{}", db.label);
        let item = &list[0];
        assert_eq!(item.doc_id, doc_id);
        assert_eq!(item.from, G22);
        assert_eq!(item.to, H41);
        assert_eq!(item.message_type, "edoc");
        assert_eq!(item.status, "pending");
        assert!(item.created_time.ends_with('Z'), "{}", item.created_time);
        assert!(
            g22.received_list(MessageType::Edoc)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            h17.received_list(MessageType::Edoc)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            h41.received_list(MessageType::Status)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(h41.count_received(MessageType::Edoc).await.unwrap(), 1);
        assert_eq!(h41.count_received(MessageType::Status).await.unwrap(), 0);

        // getEdoc gives the bytes exactly as sent (without the SDK's trailing CRLF), and so does downloadEdoc.
        assert_eq!(h41.get_edoc(&doc_id).await.unwrap(), EDOC);
        assert_eq!(h41.download_edoc(&doc_id).await.unwrap(), EDOC);
        // Only the recipient may fetch it.
        assert_eq!(refused(g22.get_edoc(&doc_id).await).0, "25");
        assert_eq!(refused(h17.get_edoc(&doc_id).await).0, "25");

        // At least once: fetched but not acknowledged, it stays listed.
        let list = h41.received_list(MessageType::Edoc).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].status, "fetched");

        // The sender tracks it per recipient.
        let sent = g22
            .sent_list(MessageType::Edoc, Some(&doc_id))
            .await
            .unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].sender_doc_id, doc_id);
        assert_eq!(sent[0].from_code, G22);
        assert_eq!(sent[0].to_code, H41);
        assert_eq!(sent[0].title, "V/v thử nghiệm liên thông văn bản");
        assert_eq!(sent[0].notation, "123/VPCP-TTĐT");
        assert_eq!(sent[0].receive_status, "fetched");
        assert!(!sent[0].received_time.is_empty());

        // Informational statuses keep it listed; done takes it off.
        h41.update_status(&doc_id, "inbox").await.unwrap();
        assert_eq!(h41.received_list(MessageType::Edoc).await.unwrap().len(), 1);
        assert_eq!(
            g22.sent_list(MessageType::Edoc, Some(&doc_id))
                .await
                .unwrap()[0]
                .receive_status,
            "inbox"
        );
        h41.update_status(&doc_id, "done").await.unwrap();
        assert!(
            h41.received_list(MessageType::Edoc)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(h41.count_received(MessageType::Edoc).await.unwrap(), 0);
        assert_eq!(
            g22.sent_list(MessageType::Edoc, None).await.unwrap()[0].receive_status,
            "done"
        );
        // Acknowledging again is harmless; an unknown status is refused.
        h41.update_status(&doc_id, "done").await.unwrap();
        assert_eq!(
            refused(h41.update_status(&doc_id, "archived").await).0,
            "26"
        );
        assert_eq!(
            refused(h41.update_status("no-such-doc", "done").await).0,
            "25"
        );

        // The status packet goes back to the system hosting ResponseFor/OrganId.
        let status_id = h41.send_edoc(MessageType::Status, STATUS).await.unwrap();
        assert!(
            g22.received_list(MessageType::Edoc)
                .await
                .unwrap()
                .is_empty()
        );
        let st = g22.received_list(MessageType::Status).await.unwrap();
        assert_eq!(st.len(), 1, "{}", db.label);
        assert_eq!(st[0].doc_id, status_id);
        assert_eq!(st[0].from, H41);
        assert_eq!(st[0].to, G22);
        assert_eq!(g22.count_received(MessageType::Status).await.unwrap(), 1);
        assert_eq!(g22.get_edoc(&status_id).await.unwrap(), STATUS);
        g22.update_status(&status_id, "done").await.unwrap();
        assert!(
            g22.received_list(MessageType::Status)
                .await
                .unwrap()
                .is_empty()
        );
        let sent = h41.sent_list(MessageType::Status, None).await.unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to_code, G22);
        drop(ax);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identical_resend_gets_the_same_doc_id_and_no_second_delivery() {
    for db in TestDb::all().await {
        let ax = Axis::start(&db).await;
        let (g22, h41) = (ax.g22(), ax.h41());
        let first = g22.send_edoc(MessageType::Edoc, EDOC).await.unwrap();
        let again = g22.send_edoc(MessageType::Edoc, EDOC).await.unwrap();
        assert_eq!(first, again, "{}", db.label);
        assert_eq!(h41.received_list(MessageType::Edoc).await.unwrap().len(), 1);
        // Also after it was acknowledged: still the same package, not a new delivery.
        h41.update_status(&first, "done").await.unwrap();
        assert_eq!(g22.send_edoc(MessageType::Edoc, EDOC).await.unwrap(), first);
        assert!(
            h41.received_list(MessageType::Edoc)
                .await
                .unwrap()
                .is_empty()
        );
        // Other bytes are another package.
        let other = g22
            .send_edoc(MessageType::Edoc, &edoc_variant(2))
            .await
            .unwrap();
        assert_ne!(other, first);
        let list = h41.received_list(MessageType::Edoc).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].doc_id, other);
        // Concurrent identical sends (a retry racing the first attempt) still give one package.
        let bytes = edoc_variant(3);
        let (a, b) = tokio::join!(
            g22.send_edoc(MessageType::Edoc, &bytes),
            g22.send_edoc(MessageType::Edoc, &bytes)
        );
        assert_eq!(a.unwrap(), b.unwrap(), "{}", db.label);
        assert_eq!(h41.received_list(MessageType::Edoc).await.unwrap().len(), 2);
        // Identical bytes are stored once on disk.
        let files = walk(&ax.data.path().join("packages"));
        assert_eq!(files, 3, "{}", db.label);
    }
}

fn walk(dir: &std::path::Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "tmp" {
                n += walk(&e.path());
            }
        } else {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agencies_of_one_system_get_one_delivery() {
    const DEPT: &str = "000.01.00.H41";
    for db in TestDb::all().await {
        let ax = Axis::start(&db).await;
        let (g22, h41, h17) = (ax.g22(), ax.h41(), ax.h17());
        // Nghệ An's installation registers one of its departments.
        h41.register_agency(&AgencyRegistration {
            code: DEPT.into(),
            name: "Sở Nội vụ tỉnh Nghệ An".into(),
            pcode: Some(H41.into()),
            mail: Some("snv@nghean.gov.vn".into()),
            ..AgencyRegistration::default()
        })
        .await
        .unwrap();
        // Registering it again updates it; another system cannot take it.
        h41.register_agency(&AgencyRegistration {
            code: DEPT.into(),
            name: "Sở Nội vụ Nghệ An".into(),
            pcode: Some(H41.into()),
            ..AgencyRegistration::default()
        })
        .await
        .unwrap();
        let (code, desc) = refused(
            h17.register_agency(&AgencyRegistration {
                code: DEPT.into(),
                name: "x".into(),
                ..AgencyRegistration::default()
            })
            .await,
        );
        assert_eq!(code, "28", "{desc}");
        let agencies = g22.agencies().await.unwrap();
        let dept = agencies.iter().find(|a| a.code == DEPT).expect("listed");
        assert_eq!(dept.name, "Sở Nội vụ Nghệ An");
        assert_eq!(dept.pcode.as_deref(), Some(H41));
        assert_eq!(dept.mail, None);
        assert_eq!(dept.system.as_deref(), Some(H41));
        assert_eq!(agencies.len(), 4);

        let doc_id = g22
            .send_edoc(MessageType::Edoc, &edoc_to(&[H41, DEPT, H17]))
            .await
            .unwrap();
        let list = h41.received_list(MessageType::Edoc).await.unwrap();
        assert_eq!(list.len(), 1, "{}", db.label);
        assert_eq!(list[0].to, format!("{H41},{DEPT}"));
        let other = h17.received_list(MessageType::Edoc).await.unwrap();
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].doc_id, doc_id);
        assert_eq!(other[0].to, H17);
        // Tracking: one line per addressed agency.
        let sent = g22
            .sent_list(MessageType::Edoc, Some(&doc_id))
            .await
            .unwrap();
        let mut to: Vec<&str> = sent.iter().map(|s| s.to_code.as_str()).collect();
        to.sort();
        let mut want = vec![H41, DEPT, H17];
        want.sort();
        assert_eq!(to, want);
        h17.update_status(&doc_id, "done").await.unwrap();
        let sent = g22
            .sent_list(MessageType::Edoc, Some(&doc_id))
            .await
            .unwrap();
        for s in &sent {
            let want = if s.to_code == H17 { "done" } else { "pending" };
            assert_eq!(s.receive_status, want, "{}", s.to_code);
        }

        // A department can be removed by its system, not the system's main code, not by another system.
        assert_eq!(refused(h41.delete_agency(H41).await).0, "28");
        assert_eq!(refused(h17.delete_agency(DEPT).await).0, "18");
        h41.delete_agency(DEPT).await.unwrap();
        assert!(g22.agencies().await.unwrap().iter().all(|a| a.code != DEPT));
        let (code, desc) = refused(g22.send_edoc(MessageType::Edoc, &edoc_to(&[DEPT])).await);
        assert_eq!(code, "18");
        assert!(desc.contains(DEPT), "{desc}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_of_the_received_list() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    let (g22, h41) = (ax.g22(), ax.h41());
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            g22.send_edoc(MessageType::Edoc, &edoc_variant(n))
                .await
                .unwrap(),
        );
    }
    let all = h41.received_list(MessageType::Edoc).await.unwrap();
    assert_eq!(
        all.iter().map(|i| i.doc_id.clone()).collect::<Vec<_>>(),
        ids,
        "oldest first"
    );
    let p1 = h41.received_page(MessageType::Edoc, 2, 1).await.unwrap();
    let p3 = h41.received_page(MessageType::Edoc, 2, 3).await.unwrap();
    assert_eq!(
        p1.iter().map(|i| &i.doc_id).collect::<Vec<_>>(),
        [&ids[0], &ids[1]]
    );
    assert_eq!(p3.iter().map(|i| &i.doc_id).collect::<Vec<_>>(), [&ids[4]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_accepted_survives_a_restart() {
    for db in TestDb::all().await {
        let mut ax = Axis::start(&db).await;
        let doc_id = ax.g22().send_edoc(MessageType::Edoc, EDOC).await.unwrap();
        ax.h41().get_edoc(&doc_id).await.unwrap();
        ax.stop().await;
        ax.run(|_| {}).await;
        let list = ax.h41().received_list(MessageType::Edoc).await.unwrap();
        assert_eq!(list.len(), 1, "{}", db.label);
        assert_eq!(list[0].status, "fetched");
        assert_eq!(ax.h41().get_edoc(&doc_id).await.unwrap(), EDOC);
        ax.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_megabyte_package_streams_through() {
    let db = TestDb::all().await.remove(0);
    let ax = Axis::start(&db).await;
    // 20 MB of PDF bytes in the official sample: sent raw, base64 in the package (about 27 MB).
    let mut edoc = vanthu_edxml::read_edoc(EDOC).unwrap().value;
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut x = 0x2545_u32;
    while pdf.len() < 20 * 1024 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        pdf.push((x >> 16) as u8);
    }
    pdf.extend_from_slice(b"\n%%EOF\n");
    edoc.attachments[0].data = pdf;
    edoc.attachments[0].name = "lon.pdf".into();
    let package = vanthu_edxml::write_edoc(&edoc).unwrap();
    assert!(package.len() > 27_000_000);
    let doc_id = ax
        .g22()
        .send_edoc(MessageType::Edoc, &package)
        .await
        .unwrap();
    let got = ax.h41().get_edoc(&doc_id).await.unwrap();
    assert!(got == package, "getEdoc gives the package byte for byte");
    let got = ax.h41().download_edoc(&doc_id).await.unwrap();
    assert!(got == package, "downloadEdoc too");
}
