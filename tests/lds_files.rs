//! The BER-TLV LDS files of the sample documents in `../shared/vectors/lds/`.
mod common;

use cccd::lds::LdsFile;
use cccd::lds::com::Com;
use common::vector;

#[test]
fn sample_ef_coms_list_their_data_groups_and_round_trip() {
    for (name, dgs) in [("lds/LOES2006_EF_COM.bin", vec![1, 2, 15]), ("lds/BSI2008_EF_COM.bin", vec![1, 2, 3, 14])] {
        let bytes = vector(name);
        let com = Com::decode(&bytes).unwrap();
        assert_eq!(com.lds_version, (1, 7), "{name}");
        assert_eq!(com.unicode_version, (4, 0, 0), "{name}");
        let expected: Vec<LdsFile> = dgs.into_iter().filter_map(LdsFile::dg).collect();
        assert_eq!(com.data_groups(), expected, "{name}");
        assert_eq!(com.encode(), bytes, "{name}");
    }
}
