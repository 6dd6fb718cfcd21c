//! The EC2 driver's Signature Version 4, held against AWS's published
//! examples and against an independent computation with `openssl`.
//!
//! moto does not check signatures, so these are what proves the signing:
//! - `get-vanilla` and `post-x-www-form-urlencoded` from AWS's SigV4 test
//!   suite (credentials `AKIDEXAMPLE`, 2015-08-30 12:36:00 UTC, region
//!   `us-east-1`, service `service`): canonical request, string to sign and
//!   signature exactly as published;
//! - the derived-key example of AWS's documentation (IAM, 2012-02-15);
//! - an EC2 request as this driver sends it (ap-southeast-2), whose
//!   canonical request is written out here by hand and whose signature is
//!   computed step by step with `openssl dgst -sha256 -mac HMAC` at test
//!   time (without `openssl`: skipped, saying so, or failed under
//!   `OVERCAST_REQUIRE_PEERS`; see testkit), and equal to
//!   what botocore's `SigV4Auth` gave for it when the test was written.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use cloud::ec2::sigv4::{amz_date, host_header, sha256_hex, sign, signing_key, Scope};
use cloud::Secret;
use reqwest::Url;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn suite_scope(secret: &Secret) -> Scope<'_> {
    Scope {
        access_key: "AKIDEXAMPLE",
        secret,
        region: "us-east-1",
        service: "service",
        amz_date: "20150830T123600Z",
    }
}

#[test]
fn get_vanilla_signs_as_aws_publishes() {
    let secret = Secret::new(SECRET);
    let url = Url::parse("https://example.amazonaws.com/").unwrap();
    let headers = [
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
    ];
    let s = sign(&suite_scope(&secret), "GET", &url, &headers, b"");
    assert_eq!(
        s.canonical_request,
        format!(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             host;x-amz-date\n{EMPTY_SHA256}"
        )
    );
    assert_eq!(
        s.string_to_sign,
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
         bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
    );
    assert_eq!(
        s.authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=host;x-amz-date, \
         Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    );
}

#[test]
fn post_x_www_form_urlencoded_signs_as_aws_publishes() {
    let secret = Secret::new(SECRET);
    let url = Url::parse("https://example.amazonaws.com/").unwrap();
    let headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
    ];
    let s = sign(
        &suite_scope(&secret),
        "POST",
        &url,
        &headers,
        b"Param1=value1",
    );
    assert_eq!(
        sha256_hex(b"Param1=value1"),
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    );
    assert_eq!(s.signed_headers, "content-type;host;x-amz-date");
    assert_eq!(
        s.signature,
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
    );
}

#[test]
fn the_signing_key_derives_as_aws_documents() {
    let key = signing_key(&Secret::new(SECRET), "20120215", "us-east-1", "iam");
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    );
}

#[test]
fn request_times_and_hosts_are_written_as_signed() {
    let at = |secs| amz_date(UNIX_EPOCH + Duration::from_secs(secs));
    assert_eq!(at(1_440_938_160), "20150830T123600Z");
    assert_eq!(at(1_709_251_199), "20240229T235959Z");
    assert_eq!(at(0), "19700101T000000Z");
    let host = |u: &str| host_header(&Url::parse(u).unwrap());
    assert_eq!(
        host("https://ec2.us-east-1.amazonaws.com/"),
        "ec2.us-east-1.amazonaws.com"
    );
    assert_eq!(host("http://127.0.0.1:5000/"), "127.0.0.1:5000");
    assert_eq!(
        host("https://euca.example:443/services/compute"),
        "euca.example"
    );
}

/// `openssl dgst -sha256` of `input`, keyed (HMAC) when `key` is given as
/// `key:<text>` or `hexkey:<hex>`; `None` when openssl cannot run.
fn openssl(key: Option<&str>, input: &[u8]) -> Option<String> {
    let mut cmd = Command::new("openssl");
    cmd.args(["dgst", "-sha256", "-r"]);
    if let Some(key) = key {
        cmd.args(["-mac", "HMAC", "-macopt", key]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(input).ok()?;
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

#[test]
fn an_ec2_request_signs_as_openssl_computes_it_independently() {
    let secret = Secret::new(SECRET);
    let scope = Scope {
        access_key: "AKIDEXAMPLE",
        secret: &secret,
        region: "ap-southeast-2",
        service: "ec2",
        amz_date: "20240229T235959Z",
    };
    let url = Url::parse("https://ec2.ap-southeast-2.amazonaws.com/").unwrap();
    let form = "application/x-www-form-urlencoded; charset=utf-8";
    let body = "Action=DescribeInstances&Version=2016-11-15&MaxResults=1000";
    let headers = [
        ("content-type", form),
        ("host", "ec2.ap-southeast-2.amazonaws.com"),
        ("x-amz-date", "20240229T235959Z"),
    ];
    let s = sign(&scope, "POST", &url, &headers, body.as_bytes());
    // What botocore's SigV4Auth (moto's venv) computed for this request when
    // this test was written: a third, independent implementation.
    assert_eq!(
        s.signature,
        "64baa4c6d947f003c70ae34321e33e6ec9bcb32e8b7f05e8ccd502a547ca8074"
    );

    let Some(body_hash) = openssl(None, body.as_bytes()) else {
        testkit::peer_missing("openssl", "apt-get install openssl");
        return;
    };
    let canonical = format!(
        "POST\n/\n\ncontent-type:{form}\nhost:ec2.ap-southeast-2.amazonaws.com\n\
         x-amz-date:20240229T235959Z\n\ncontent-type;host;x-amz-date\n{body_hash}"
    );
    assert_eq!(s.canonical_request, canonical);
    let creq_hash = openssl(None, canonical.as_bytes()).unwrap();
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n20240229T235959Z\n20240229/ap-southeast-2/ec2/aws4_request\n{creq_hash}"
    );
    assert_eq!(s.string_to_sign, to_sign);
    let k_date = openssl(Some(&format!("key:AWS4{SECRET}")), b"20240229").unwrap();
    let k_region = openssl(Some(&format!("hexkey:{k_date}")), b"ap-southeast-2").unwrap();
    let k_service = openssl(Some(&format!("hexkey:{k_region}")), b"ec2").unwrap();
    let k_signing = openssl(Some(&format!("hexkey:{k_service}")), b"aws4_request").unwrap();
    let signature = openssl(Some(&format!("hexkey:{k_signing}")), to_sign.as_bytes()).unwrap();
    assert_eq!(s.signature, signature);
    assert_eq!(
        s.authorization,
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/ap-southeast-2/ec2/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature={signature}"
        )
    );
}
