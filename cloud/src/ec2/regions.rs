//! The EC2 regions of the mist.io catalogue: provider id, AWS region, and
//! the country machines there live in.

/// One regional EC2 provider of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// The catalogue id (`"ec2_ap_southeast_2"`).
    pub provider: &'static str,
    /// The AWS region (`"ap-southeast-2"`).
    pub region: &'static str,
    /// ISO 3166 alpha-2 country code.
    pub country: &'static str,
}

const fn r(provider: &'static str, region: &'static str, country: &'static str) -> Region {
    Region {
        provider,
        region,
        country,
    }
}

/// Every regional EC2 provider of the catalogue, as `domain::providers`
/// lists them.
pub const REGIONS: [Region; 17] = [
    r("ec2_ap_northeast", "ap-northeast-1", "JP"),
    r("ec2_ap_northeast_2", "ap-northeast-2", "KR"),
    r("ec2_ap_northeast_3", "ap-northeast-3", "JP"),
    r("ec2_ap_south", "ap-south-1", "IN"),
    r("ec2_ap_southeast", "ap-southeast-1", "SG"),
    r("ec2_ap_southeast_2", "ap-southeast-2", "AU"),
    r("ec2_ca_central", "ca-central-1", "CA"),
    r("ec2_eu_central", "eu-central-1", "DE"),
    r("ec2_eu_north", "eu-north-1", "SE"),
    r("ec2_eu_west", "eu-west-1", "IE"),
    r("ec2_eu_west_2", "eu-west-2", "GB"),
    r("ec2_eu_west_3", "eu-west-3", "FR"),
    r("ec2_sa_east", "sa-east-1", "BR"),
    r("ec2_us_east", "us-east-1", "US"),
    r("ec2_us_east_2", "us-east-2", "US"),
    r("ec2_us_west", "us-west-1", "US"),
    r("ec2_us_west_oregon", "us-west-2", "US"),
];

/// The AWS region of a catalogue id (`ec2_us_west_oregon` → `us-west-2`).
pub fn region_of(provider: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|r| r.provider == provider)
        .map(|r| r.region)
}

/// The catalogue entry of an AWS region, when the catalogue has it.
pub fn by_region(region: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|r| r.region == region)
}

/// The country of an AWS region in the catalogue.
pub fn country_of(region: &str) -> Option<&'static str> {
    by_region(region).map(|r| r.country)
}

/// The public endpoint of `region`.
pub fn endpoint(region: &str) -> String {
    format!("https://ec2.{region}.amazonaws.com/")
}

/// Whether `region` has the shape of an AWS region name (`us-east-1`,
/// `eu-central-2`): it goes into the endpoint's host and the signature.
pub(crate) fn well_formed(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_name_their_aws_regions() {
        assert_eq!(region_of("ec2_us_west_oregon"), Some("us-west-2"));
        assert_eq!(region_of("ec2_ap_northeast"), Some("ap-northeast-1"));
        assert_eq!(region_of("ec2_mars"), None);
        assert_eq!(country_of("ap-southeast-2"), Some("AU"));
        assert_eq!(
            endpoint("eu-west-3"),
            "https://ec2.eu-west-3.amazonaws.com/"
        );
        assert!(REGIONS.iter().all(|r| well_formed(r.region)));
        assert!(!well_formed("evil.example.com/"));
    }
}
