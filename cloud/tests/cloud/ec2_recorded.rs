//! The EC2 driver reading Libcloud's recorded answers.

use std::time::Instant;

use cloud::{CloudDriver, MachineState};
use serde_json::json;

use crate::ec2_recorded_peer::{driver, Ec2Peer};

#[tokio::test]
async fn instances_are_read_with_names_states_addresses_and_tags() {
    let peer = Ec2Peer::start().await;
    let machines = driver(&peer.url, "good").list_machines().await.unwrap();
    let seen = peer.seen();
    let [call] = seen.as_slice() else {
        panic!("{seen:?}")
    };
    assert_eq!(call.get("Action"), Some("DescribeInstances"));
    assert_eq!(call.get("Version"), Some("2016-11-15"));
    assert_eq!(call.get("MaxResults"), Some("1000"));
    assert_eq!(
        (call.key.as_str(), call.region.as_str()),
        ("good", "eu-west-1")
    );

    let [first, second] = machines.as_slice() else {
        panic!("{machines:?}")
    };
    // No Name tag: named by its id.
    assert_eq!(
        (first.id.as_str(), first.name.as_str()),
        ("i-4382922a", "i-4382922a")
    );
    assert_eq!(first.state, MachineState::Stopped);
    assert_eq!(
        (first.public_ips.clone(), first.private_ips.clone()),
        (vec!["1.2.3.4".to_owned()], vec!["10.211.11.211".to_owned()])
    );
    assert_eq!(
        (first.size.as_deref(), first.image.as_deref()),
        (Some("m1.small"), Some("ami-3215fe5a"))
    );
    assert_eq!(first.location.as_deref(), Some("us-east-1d"));
    assert!(first.tags.is_empty());
    assert_eq!(first.extra["key_name"], "fauxkey");
    assert_eq!(
        first.extra["security_groups"],
        json!(["Test Group 1", "Test Group 2"])
    );
    assert_eq!(first.extra["reservation_id"], "r-fd67fb97");

    // The Name tag is the name; the other tags are `key=value`; the
    // interface's second private address is listed too.
    assert_eq!(
        (second.id.as_str(), second.name.as_str()),
        ("i-8474834a", "Test Server 2")
    );
    assert_eq!(second.tags, ["Group=VPC Test"]);
    assert_eq!(
        second.extra["tags"],
        json!({"Name": "Test Server 2", "Group": "VPC Test"})
    );
    assert_eq!(second.public_ips, ["1.2.3.5"]);
    assert_eq!(second.private_ips, ["172.16.9.139", "172.16.4.139"]);
    assert_eq!(second.extra["vpc_id"], "vpc-61dcd30e");
    assert_eq!(
        serde_json::to_value(second.state).unwrap(),
        json!("stopped")
    );
}

#[tokio::test]
async fn next_tokens_are_followed_and_instances_listed_once() {
    let peer = Ec2Peer::start().await;
    let machines = driver(&peer.url, "paged").list_machines().await.unwrap();
    assert_eq!(machines.len(), 2, "the same two instances on both pages");
    let seen = peer.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].get("NextToken"), Some("page-2"));

    // A token that comes back again ends the listing instead of looping.
    let machines = driver(&peer.url, "loop").list_machines().await.unwrap();
    assert_eq!(machines.len(), 2);
    assert_eq!(peer.seen().len(), 4);
}

#[tokio::test]
async fn three_pages_of_a_thousand_instances_are_listed_whole() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "many");
    let started = Instant::now();
    let machines = d.list_machines().await.unwrap();
    let took = started.elapsed();
    assert_eq!(machines.len(), 3000);
    let tokens: Vec<_> = peer
        .seen()
        .iter()
        .map(|s| s.get("NextToken").map(str::to_owned))
        .collect();
    assert_eq!(tokens, [None, Some("page-2".into()), Some("page-3".into())]);
    eprintln!("figure: 3 pages x 1,000 EC2 instances listed over loopback in {took:?}");
}

#[tokio::test]
async fn a_describe_instances_answer_of_five_thousand_instances_parses_quickly() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "huge");
    d.list_machines().await.unwrap(); // warm: the peer builds its answer once
    let started = Instant::now();
    let machines = d.list_machines().await.unwrap();
    let took = started.elapsed();
    assert_eq!(machines.len(), 5000);
    let bytes = crate::ec2_recorded_answers::built(9, 5000).len();
    eprintln!("figure: DescribeInstances of 5,000 instances ({} KB) fetched and parsed in {took:?} (debug build)", bytes / 1024);
}

#[tokio::test]
async fn sizes_images_and_zones_are_read_from_the_recordings() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "good");
    // Libcloud's recording is a Eucalyptus 3.4 DescribeInstanceTypes answer.
    let sizes = d.list_sizes().await.unwrap();
    assert_eq!(sizes.len(), 18);
    let small = sizes.iter().find(|s| s.id == "m1.small").unwrap();
    assert_eq!(
        (small.cpus, small.ram_mb, small.disk_gb),
        (Some(1), Some(256), Some(5))
    );
    assert_eq!(peer.seen()[0].get("MaxResults"), Some("100"));

    let images = d.list_images(None).await.unwrap();
    let ids: Vec<_> = images.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["ami-57ba933a", "ami-85b2a8ae", "ami-85b2a8ac"]);
    assert_eq!(images[0].name, "Test Image");
    assert!(!images[0].public);
    assert_eq!(images[0].extra["description"], "Testing Stuff");
    assert_eq!(images[0].extra["owner_id"], "123456788908");
    let asked = peer.seen().pop().unwrap();
    assert_eq!(
        (asked.get("Owner.1"), asked.get("Owner.2")),
        (Some("self"), Some("amazon"))
    );

    // A search asks EC2's case-sensitive name filter for the usual spellings.
    let found = d.list_images(Some("image 2")).await.unwrap();
    assert!(!found.is_empty());
    let asked = peer.seen().pop().unwrap();
    assert_eq!(asked.get("Owner.1"), None, "a search reaches public images");
    let values: Vec<_> = asked
        .params
        .iter()
        .filter(|(k, _)| k.starts_with("Filter.1.Value."))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(values, ["*image 2*", "*IMAGE 2*", "*Image 2*"]);
    assert!(d.list_images(Some("no-such")).await.unwrap().is_empty());

    let zones = d.list_locations().await.unwrap();
    let summary: Vec<_> = zones
        .iter()
        .map(|l| (l.id.as_str(), l.country.as_deref(), l.available))
        .collect();
    assert_eq!(
        summary,
        [
            ("eu-west-1a", Some("IE"), true),
            ("eu-west-1b", Some("IE"), true)
        ]
    );
    assert_eq!(zones[0].extra["region"], "eu-west-1");
}
