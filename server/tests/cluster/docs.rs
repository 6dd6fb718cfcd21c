//! docs/scaling.md shows the nginx configuration these tests run, whole.

use crate::harness::nginx;

#[test]
fn scaling_md_shows_the_nginx_configuration_the_tests_run() {
    let page = include_str!("../../../docs/scaling.md");
    let shown = format!("```nginx\n{}```", nginx::TEMPLATE);
    assert!(
        page.contains(&shown),
        "docs/scaling.md must show docs/nginx-overcast.conf verbatim in an nginx block"
    );
    // What the tests change: only addresses.
    let config = nginx::site_config(&[4001, 4002, 4003], 4080);
    assert_eq!(
        config
            .replace("4001", "3001")
            .replace("4002", "3002")
            .replace("4003", "3003")
            .replace("4080", "8080"),
        nginx::TEMPLATE
    );
    let one = nginx::site_config(&[4001], 4080);
    assert!(one.contains("127.0.0.1:4001") && !one.contains("127.0.0.1:3002"));
}
