//! Host tests of the tmpfs options parser, against what Linux 6.18 accepts.

use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;

const TOTAL: u64 = 1 << 20;

fn parse(text: &str) -> Result<TmpfsOptions, ParamError> {
    parse_tmpfs_options(text.as_bytes(), TOTAL)
}

#[test]
fn sizes_take_suffixes_and_round_up_to_pages() {
    assert_eq!(parse("size=1M").unwrap().blocks, Some(256));
    assert_eq!(parse("size=1k").unwrap().blocks, Some(1));
    assert_eq!(parse("size=4097").unwrap().blocks, Some(2));
    assert_eq!(parse("size=2g").unwrap().blocks, Some(512 << 10));
    assert_eq!(parse("size=0x1000").unwrap().blocks, Some(1));
    assert_eq!(parse("size=010").unwrap().blocks, Some(1));
    assert_eq!(parse("size=0").unwrap().blocks, Some(0));
    assert_eq!(parse("nr_blocks=10").unwrap().blocks, Some(10));
    assert_eq!(parse("nr_blocks=1k").unwrap().blocks, Some(1024));
    assert_eq!(parse("nr_inodes=2k").unwrap().inodes, Some(2048));
}

#[test]
fn a_percentage_is_of_memory() {
    assert_eq!(parse("size=10%").unwrap().blocks, Some(TOTAL / 10 + 1));
    assert_eq!(parse("size=50%").unwrap().blocks, Some(TOTAL / 2));
    assert_eq!(
        parse("nr_inodes=10%"),
        Err(ParamError::BadValue("nr_inodes"))
    );
    assert_eq!(parse("size=10%%"), Err(ParamError::BadValue("size")));
}

#[test]
fn the_last_size_wins() {
    assert_eq!(parse("size=1M,nr_blocks=3").unwrap().blocks, Some(3));
    assert_eq!(parse("nr_blocks=3,size=1M").unwrap().blocks, Some(256));
}

#[test]
fn mode_is_octal_and_masked() {
    assert_eq!(parse("mode=700").unwrap().mode, Some(0o700));
    assert_eq!(parse("mode=0755").unwrap().mode, Some(0o755));
    assert_eq!(parse("mode=177777").unwrap().mode, Some(0o7777));
    assert_eq!(parse("mode=8"), Err(ParamError::BadValue("mode")));
    assert_eq!(parse("mode="), Err(ParamError::BadValue("mode")));
    assert_eq!(parse("mode"), Err(ParamError::BadValue("mode")));
}

#[test]
fn owners_are_decimal_and_valid() {
    let o = parse("uid=1000,gid=+100").unwrap();
    assert_eq!((o.uid, o.gid), (Some(1000), Some(100)));
    assert_eq!(parse("uid=-1"), Err(ParamError::BadValue("uid")));
    assert_eq!(parse("uid=4294967295"), Err(ParamError::BadValue("uid")));
    assert_eq!(parse("gid=4294967296"), Err(ParamError::BadValue("gid")));
    assert_eq!(parse("gid=0x10"), Err(ParamError::BadValue("gid")));
}

#[test]
fn bad_values_and_unknown_keys_are_refused() {
    assert_eq!(parse("size=abc"), Err(ParamError::BadValue("size")));
    assert_eq!(parse("size="), Err(ParamError::BadValue("size")));
    assert_eq!(parse("size=1MB"), Err(ParamError::BadValue("size")));
    assert_eq!(parse("foo"), Err(ParamError::Unknown("foo".into())));
    assert_eq!(
        parse("size=1M,foo=1"),
        Err(ParamError::Unknown("foo".into()))
    );
    assert_eq!(
        parse("inode64=1"),
        Err(ParamError::UnexpectedValue("inode64"))
    );
    assert_eq!(parse("huge=bad"), Err(ParamError::BadValue("huge")));
    assert_eq!(
        parse("foo").unwrap_err().to_string(),
        "Unknown parameter 'foo'"
    );
    assert_eq!(
        parse("size=abc").unwrap_err().to_string(),
        "Bad value for 'size'"
    );
}

#[test]
fn flags_and_ignored_options_are_accepted() {
    let o = parse("inode32,noswap,huge=always,ro,sync,quota,usrquota_block_hardlimit=1M").unwrap();
    assert_eq!(o.inode64, Some(false));
    assert!(o.noswap);
    assert_eq!(o.huge, Some("always"));
    assert_eq!(parse("inode64").unwrap().inode64, Some(true));
    assert_eq!(parse("").unwrap(), TmpfsOptions::default());
    assert_eq!(parse("size=1M,,mode=1").unwrap().mode, Some(1));
}

#[test]
fn an_mpol_node_list_may_hold_commas() {
    assert_eq!(
        parse("mpol=bind:0,0").unwrap().mpol.as_deref(),
        Some("bind:0,0")
    );
    let o = parse("mpol=interleave:0-0,size=1M").unwrap();
    assert_eq!(
        (o.mpol.as_deref(), o.blocks),
        (Some("interleave:0-0"), Some(256))
    );
    assert_eq!(parse("mpol=default").unwrap().mpol, None);
    assert_eq!(parse("mpol=local").unwrap().mpol.as_deref(), Some("local"));
    assert_eq!(parse("mpol=bind:1"), Err(ParamError::BadValue("mpol")));
    assert_eq!(parse("mpol=bind"), Err(ParamError::BadValue("mpol")));
    assert_eq!(parse("mpol=nope"), Err(ParamError::BadValue("mpol")));
}

#[test]
fn memparse_stops_at_the_first_foreign_byte() {
    assert_eq!(memparse(b"12kx"), (12 << 10, &b"x"[..]));
    assert_eq!(memparse(b"abc"), (0, &b"abc"[..]));
    assert_eq!(memparse(b"0x"), (0, &b"x"[..]));
    assert_eq!(memparse(b"1E"), (1 << 60, &b""[..]));
}

proptest! {
    #[test]
    fn random_text_never_panics(text in proptest::collection::vec(any::<u8>(), 0..64),
                                total in any::<u64>()) {
        let _ = parse_tmpfs_options(&text, total);
    }

    #[test]
    fn option_like_text_never_panics(text in "[a-z_=%,0-9kmgMGxX:+-]{0,40}") {
        let _ = parse(&text);
        let _: Vec<_> = split_options(text.as_bytes()).collect();
    }
}
