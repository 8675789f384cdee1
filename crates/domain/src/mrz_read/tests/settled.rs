//! What the zone's own check digits cannot settle, settled: a passport's number by its state's
//! shape and the page's printed number, names by the page where the zone shows damage, and of
//! several readings that hold, the least repaired.

use super::*;

/// A zone as the demo prints it: `state`'s passport numbered `number`.
fn passport_zone(state: &str, number: &str) -> String {
    td3(&Passport {
        state,
        surname: "Bondarenko",
        given_names: "Oksana",
        number,
        date_of_birth: day(1988, 3, 9),
        sex: '<',
        expiry: day(2031, 5, 2),
    })
    .join("\n")
}

#[test]
fn the_states_number_shape_settles_letters_read_as_digits_where_the_check_digit_cannot() {
    // `S` read as `5` and `Z` as `2`: 23 × 7 + 33 × 3 = 260, the number's digit holds either way.
    let printed = passport_zone("UKR", "SZ541234");
    let read = printed.replacen("SZ541234", "52541234", 1);
    assert_eq!(
        check_digit("SZ541234<"),
        check_digit("52541234<"),
        "the check digit cannot tell"
    );
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "SZ541234");
    assert_eq!(zone.corrected, [Checked::DocumentNumber]);
    assert_eq!(zone.failed, []);
    // A state whose numbers have no known shape: read as it stands.
    let elsewhere = passport_zone("UTO", "SZ541234").replacen("SZ541234", "52541234", 1);
    let zone = find(&elsewhere, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "52541234");
    assert_eq!(zone.corrected, []);
    // A text layer is never reshaped.
    let zone = find(&read, Source::Typed, today()).unwrap();
    assert_eq!(zone.document_number, "52541234");
}

#[test]
fn a_number_in_its_states_shape_is_never_reshaped_and_one_that_no_reading_fits_stays_as_read() {
    // `C` read as `6` (its lookalike), in Azerbaijan's `C` and eight digits.
    let zone = passport_zone("AZE", "C01234567");
    let read = zone.replacen("C01234567", "601234567", 1);
    let found = find(&read, Source::Recognised, today()).unwrap();
    // `6` for `C` moves the sum by 6 × 7: only the checked reading is taken, and it is `C…`.
    assert_eq!(found.document_number, "C01234567", "{found:?}");
    assert_eq!(found.failed, []);
    // As printed: fits, nothing to do.
    let found = find(&zone, Source::Recognised, today()).unwrap();
    assert_eq!(
        (found.document_number.as_str(), found.corrected.len()),
        ("C01234567", 0)
    );
    // An older number of another series fits no reading of the shape whose digit holds: as read.
    let other = passport_zone("AZE", "AA1234567");
    let found = find(&other, Source::Recognised, today()).unwrap();
    assert_eq!(found.document_number, "AA1234567");
    assert_eq!((found.failed.len(), found.corrected.len()), (0, 0));
}

#[test]
fn readings_of_a_shape_are_kept_only_when_exactly_one_satisfies_the_digit() {
    // `0` where a letter stands may be `O`, `D` or `Q`: the digit picks one.
    let number = "DA1234567";
    let check = check_digit(number);
    assert_eq!(
        shaped("0A1234567", check, "AA9999999"),
        Some((number.to_owned(), true))
    );
    // No reading satisfies `5` (`OA…` has 6, `DA…` 9, `QA…` 0): the likeliest (`0` is most
    // often `O`), not holding.
    assert_eq!(check, '9');
    assert_eq!(
        shaped("0A1234567", '5', "AA9999999"),
        Some(("OA1234567".to_owned(), false))
    );
    // Nothing a reader confuses with `X` is a digit: no reading.
    assert_eq!(shaped("EAX234567", check, "EA9999999"), None);
    // A filler where a digit must stand: no reading.
    assert_eq!(shaped("EA123456<", check, "EA9999999"), None);
}

#[test]
fn of_a_long_lines_readings_that_all_hold_the_one_least_repaired_is_taken() {
    // As read from demo scans: an `O` added after the nationality (without the `N` of `CHN` it
    // also holds, as `CHO` with the first line "repaired" to `P<CHONWANG`), and a `0` added inside a Georgian number (without the first `5`
    // it holds once `0` is corrected to `D`).
    let chinese =
        "P<CHNWANG<<FANG<<<<<<<<<<<<<<<<<<<<<\nEJ12291781CHNO0412018<2712011<<<<<<<<<<<<<<<6";
    let zone = find(chinese, Source::Recognised, today()).unwrap();
    assert_eq!((zone.nationality.as_str(), zone.failed.len()), ("CHN", 0));
    assert_eq!(zone.date_of_birth, Some(day(2004, 12, 1)));
    let georgian = "P<GEOBERIDZE<<GIORGI<<<<<<<<<<<<<<<<<<<<<<<<\n57C0C994637GE08607162<3007169<<<<<<<<<<<<<<<0";
    let zone = find(georgian, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "57CC99463");
    assert_eq!(zone.corrected, []);
}

#[test]
fn a_narrow_letter_of_the_state_read_as_another_is_the_nationalitys() {
    let read = "P<JNDIYER<<PRIYA<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nL2707907<11ND8201054<3401055<<<<<<<<<<<<<<<6";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.issuing_state.as_str(), zone.nationality.as_str()),
        ("IND", "IND")
    );
    assert_eq!(zone.failed, []);
}

#[test]
fn a_names_line_read_short_takes_the_pages_name_only_where_it_adds_as_many_narrow_letters() {
    let page = "Soyad / Surname: KARIMI\nAd / Given names: MARYAM\n";
    let zone_lines = "A166547940IRN9403062<3103061<<<<<<<<<<<<<<<0";
    // One short: `KARIM` lost its last `I`.
    let short = format!("{page}P<IRNKARIM<<MARYAM<<<<<<<<<<<<<<<<<<<<<<<<<\n{zone_lines}");
    let zone = find(&short, Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "KARIMI");
    // Read whole: the zone's own spelling stands (the page's reading gains letters too).
    let whole = format!("{page}P<IRNKARIM<<MARYAM<<<<<<<<<<<<<<<<<<<<<<<<<<\n{zone_lines}");
    let zone = find(&whole, Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "KARIM");
    // Short, but the page's name takes a letter away rather than adding one.
    let lost_on_page = format!(
        "Soyad / Surname: KARMI\nP<IRNKARIMI<<MARYAM<<<<<<<<<<<<<<<<<<<<<<<<\n{zone_lines}"
    );
    let zone = find(&lost_on_page, Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "KARIMI");
}

#[test]
fn a_number_whose_digit_fails_is_shown_in_its_states_shape_and_still_fails() {
    // Printed with a wrong check digit (the demo's forged zone), `O` read as `0`.
    let read = "P<UKRBONDARENKO<<IRYNA<<<<<<<<<<<<<<<<<<<<<<\nY0440467<0UKR6701284<3401284<<<<<<<<<<<<<<<4";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "YO440467");
    assert_eq!(zone.failed, [Checked::DocumentNumber, Checked::Composite]);
    assert_eq!(zone.corrected, []);
}

#[test]
fn a_separator_filler_read_as_a_letter_is_put_back_where_the_page_prints_the_names_so_split() {
    let zone_lines = "UV073775<2UKR6212092<3212091<<<<<<<<<<<<<<<8";
    let read = format!(
        "Soyad / Surname: BONDARENKO\nAd / Given names: TARAS\nP<UKRBONDARENKOK<TARAS<<<<<<<<<<<<<<<<<<<<<<\n{zone_lines}"
    );
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.surname.as_str(), zone.given_names.as_str()),
        ("BONDARENKO", "TARAS")
    );
    // The page does not print such a split: the names as read.
    let read = read.replace("Surname: BONDARENKO", "Surname: BONDARENKOK");
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "BONDARENKOK TARAS");
}

#[test]
fn names_of_a_zone_found_damaged_elsewhere_take_the_pages_narrow_and_round_letters() {
    // As read: the state `JRN`, the nationality `1RN`, names that lost their `I`s on a short
    // line, and (another scan) `D` read as `O` in a zone whose nationality has a `0` for `O`.
    let page = "Soyad / Surname: REZAEI\nAd / Given names: ALI\n";
    let read =
        format!("{page}P<JRNREZAE<<AL<<<<<<<<<<<<\nB2019546191RN5912199<2812195<<<<<<<<<<<<<<<2");
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.surname.as_str(), zone.given_names.as_str()),
        ("REZAEI", "ALI")
    );
    let page = "Soyad / Surname: BERIDZE\nAd / Given names: NINO\n";
    let lines = "P<GEOBERIOZE<<NINO<<<<<<<<<<<<<<<<<<<<<<<<<<\n90XT637320GE07206236<2906232<<<<<<<<<<<<<<<8";
    let zone = find(&format!("{page}{lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "BERIDZE");
    // The same names line in an undamaged zone stands as read.
    let whole = lines.replace("GE07206236", "GEO7206236");
    let zone = find(&format!("{page}{whole}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "BERIOZE");
}

#[test]
fn a_mark_ending_a_printed_name_is_its_last_i() {
    let page = "Soyad / Surname: KARIM]\nAd / Given names: MARYAM\n";
    let read = format!(
        "{page}P<IRNKARIM<<MARYAM<<<<<<<<<<<<<<<<<<<<<<<<<\nA166547940IRN9403062<3103061<<<<<<<<<<<<<<<0"
    );
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "KARIMI");
}

#[test]
fn a_pages_number_with_a_mark_for_a_letter_settles_the_zones_read_in_the_states_shape() {
    // As read: the zone's `ZJ` as `2Z`, the page's as `2)`; Ukraine's numbers are two letters
    // and six digits.
    let lines = "P<UKRBONDARENKO<<TARAS<<<<<<<<<<<<<<<<<<<<<<\n2Z449326<6UKR6104139<3304134<<<<<<<<<<<<<<<6";
    let page = "Pasport № / Passport No.: 2)449326\n";
    let zone = find(&format!("{page}{lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "ZJ449326");
    assert_eq!(zone.failed, []);
    assert_eq!(zone.corrected, [Checked::DocumentNumber]);
    // Without the page, no reading in the shape holds: the likeliest, failing.
    let zone = find(lines, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "ZZ449326");
    assert_eq!(zone.failed, [Checked::DocumentNumber, Checked::Composite]);
}

#[test]
fn a_state_letter_misread_rather_than_lost_leaves_no_letter_before_the_surname() {
    // As read: `IND` as `INN`, taken for a lost `D` put back; the page prints `SHARMA`.
    let page = "Soyad / Surname: SHARMA\nAd / Given names: RAHUL\n";
    let lines = "P<INNSHARMA<<RAHUL<<<<<<<<<<<<<<<<<<<<<<<<<<\nN8771646<61ND0107172<3307179<<<<<<<<<<<<<<<4";
    let zone = find(&format!("{page}{lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.issuing_state.as_str(), zone.surname.as_str()),
        ("IND", "SHARMA")
    );
    // A page printing the longer surname keeps it.
    let page = page.replace("SHARMA", "NSHARMA");
    let zone = find(&format!("{page}{lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "NSHARMA");
}

#[test]
fn a_zone_damaged_only_in_its_nationality_keeps_its_names_narrow_letters_and_reads_opening_marks() {
    // The nationality's `I` read as `1`: the page's `REZAEIL` (an `L` gained) is not taken.
    let page = "Soyad / Surname: REZAEIL\nAd / Given names: REZA\n";
    let lines = "P<IRNREZAEI<<REZA<<<<<<<<<<<<<<<<<<<<<<<<<<<\nS0069670331RN6409214<3009211<<<<<<<<<<<<<<<4";
    let zone = find(&format!("{page}{lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "REZAEI");
    // A mark opening a printed name: a bar is its `I`, a bracket its `J`; the zone's line read
    // short lost them.
    let page = "Soyad / Surname: ZHANGA\nAd / Given names: )UN\n";
    let lines = "P<CHNZHANGA<<UN<<<<<<<<<<<<<\nED49942375CHN6402190<3402199<<<<<<<<<<<<<<<8";
    let zone = find(&format!("{page}{lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.given_names, "JUN");
    let page = "Soyad / Surname: !YER\nAd / Given names: PRIYA\n";
    let lines = format!(
        "P<INDYER<<PRIYA{}\nQ3846467<2IND7012082<3412086<<<<<<<<<<<<<<<8",
        "<".repeat(28)
    );
    let zone = find(&format!("{page}{lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "IYER");
}

#[test]
fn a_number_corrected_while_the_composite_fails_stands_in_its_states_shape_failing() {
    // Printed with a wrong check digit (the demo's forged zone) and read `8511…`: `85IL…` in
    // Georgia's shape "passes" that digit, the composite does not, so the number was printed
    // wrong: shown as read, in the shape (`85II…`), failing.
    let read = "P<GEOKAPANADZE<<NINO<<<<<<<<<<<<<<<<<<<<<<<<\n8511452502GE06011251<2711254<<<<<<<<<<<<<<<4";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "85II45250");
    assert!(zone.failed.contains(&Checked::DocumentNumber), "{zone:?}");
}

#[test]
fn a_round_letter_where_the_shape_has_a_letter_may_be_another_round_letter() {
    // `DR…` read `OR…`: Ukraine's two letters, and the digit picks `D`.
    let read = passport_zone("UKR", "DR662761").replacen("DR662761", "OR662761", 1);
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "DR662761");
    assert_eq!(zone.failed, []);
}

#[test]
fn a_nationality_letter_read_as_the_lookalike_of_a_known_state_is_the_states() {
    // `IND` read `1NO` on the second line: India's `D`, not `INO` made the state too.
    let read = "P<INDSHARMA<<ANANYA<<<<<<<<<<<<<<<<<<<<<<<<<\nR3156511<71NO8902100<2802105<<<<<<<<<<<<<<<8";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.issuing_state.as_str(), zone.nationality.as_str()),
        ("IND", "IND")
    );
    assert_eq!(zone.failed, []);
}

#[test]
fn round_letters_are_tried_as_one_another_only_when_no_reading_as_read_holds() {
    // `QO` read `Q0`: the `0` where a letter stands is `O`, and `Q` stays as read (as another
    // round letter, `OO`/`DD`/… could hold too and leave no single answer).
    let read = passport_zone("GEO", "36QO79216").replacen("36QO79216", "36Q079216", 1);
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "36QO79216");
    assert_eq!(zone.failed, []);
}

#[test]
fn a_line_of_numbers_read_one_short_takes_the_character_put_back_that_the_page_prints() {
    // `68BI95069` read with its `I` lost (both lines lost narrow letters).
    let page = "Ad / Given names: GIORGI\nPasport № / Passport No.: 68B195069\n";
    let zone_lines =
        "P<GEOKAPANADZE<<GORG<<<<<<<<<<<<<<<<<<<<<<\n68B950692GE07910166<2810168<<<<<<<<<<<<<<<8";
    let zone = find(&format!("{page}{zone_lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "68BI95069", "{zone:?}");
    assert_eq!(zone.nationality, "GEO");
    assert_eq!(zone.given_names, "GIORGI");
    assert_eq!(zone.date_of_birth, Some(day(1979, 10, 16)));
    assert_eq!(zone.failed, []);
    // Without the page's number, several letters put back in the number hold every digit
    // (`68BS…` weighs as `68BI…`): none is taken, and the zone as read fails.
    let zone = find(zone_lines, Source::Recognised, today()).unwrap();
    assert!(!zone.failed.is_empty(), "{zone:?}");
}

#[test]
fn a_number_whose_digit_holds_only_outside_its_states_shape_is_the_pages_failing() {
    // Printed `U79552450` with a wrong check digit (the demo's forged zone) and read `U79S…`,
    // which happens to satisfy it; Turkey's numbers have digits there and the page prints it.
    let zone_lines = "P<TURDEMIR<<MEHMET<<<<<<<<<<<<<<<<<<<<<<<<<<\nU79S524506TUR8609144<2709145<<<<<<<<<<<<<<<2";
    let page = "Pasport № / Passport No.: U79552450\n";
    let zone = find(&format!("{page}{zone_lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "U79552450");
    assert_eq!(zone.failed, [Checked::DocumentNumber, Checked::Composite]);
    // Without the page, nothing says the lucky reading is wrong: it stands.
    let zone = find(zone_lines, Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "U79S52450");
    assert_eq!(zone.failed, [Checked::Composite]);
}

#[test]
fn a_nationality_read_one_short_is_the_known_state_the_first_line_also_lost() {
    // Both lines lost the `I` of `IND`: put back in the nationality, any letter holds every
    // digit; only `IND` is a state whose numbers the desk knows, and it mends the first line.
    let read = "Pasport № / Passport No.: Q4938740\nP<NDSHARMA<<RAHUL<<<<<<<<<<<<<<<<<<<<<<<<<\nQ4938740<3ND0004189<2704184<<<<<<<<<<<<<<<0";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.issuing_state.as_str(), zone.nationality.as_str()),
        ("IND", "IND"),
        "{zone:?}"
    );
    assert_eq!(
        (zone.surname.as_str(), zone.given_names.as_str()),
        ("SHARMA", "RAHUL")
    );
    assert_eq!(zone.date_of_birth, Some(day(2000, 4, 18)));
    assert_eq!(zone.failed, []);
}

#[test]
fn the_pages_number_differing_in_more_than_confusions_does_not_override_a_zone_that_holds() {
    // `IU781875` read `1U781875`, which holds in Ukraine's shape as `IU…`; the page's `10781875`
    // holds too when read `LD781875`, but differs from the zone in a `U` no confusion makes `D`.
    let zone_lines = "P<UKRKOVALENKO<<ANDRIY<<<<<<<<<<<<<<<<<<<<<<\n1U781875<4UKR7502190<3202193<<<<<<<<<<<<<<<4";
    let page = "Pasport № / Passport No.: 10781875\n";
    let zone = find(&format!("{page}{zone_lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.document_number, "IU781875");
    assert_eq!(zone.failed, []);
}

#[test]
fn of_several_printed_names_with_the_same_broad_letters_the_nearest_in_length_is_taken() {
    // A digit among the names (damaged): `ISMAYILL1I` and `SMAYIL`; the page prints both
    // `ISMAYILLI` and `ISMAYIL`, whose broad letters are the same.
    let read = "Soyad / Surname: İSMAYILLI\nAd / Given names: İSMAYIL\nP<AZEISMAYILL1I<<SMAYIL<<<<<<<<<<<<<<<<<<<<<\nC750221887AZE8109231<2709237<<<<<<<<<<<<<<<4";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.surname.as_str(), zone.given_names.as_str()),
        ("ISMAYILLI", "ISMAYIL")
    );
}

#[test]
fn a_filler_before_the_separator_read_as_k_goes_where_the_page_prints_the_surname_without_it() {
    let zone_lines = "P<UKRKOVALENKOK<<IRYNA<<<<<<<<<<<<<<<<<<<<<<<\nQQ140778<9UKR9804197<2704195<<<<<<<<<<<<<<<8";
    let page = "Soyad / Surname: KOVALENKO\nAd / Given names: IRYNA\n";
    let zone = find(&format!("{page}{zone_lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "KOVALENKO");
    // A surname that ends in `K` and is printed so stays.
    let page = "Soyad / Surname: KOVALENKOK\nAd / Given names: IRYNA\n";
    let zone = find(&format!("{page}{zone_lines}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.surname, "KOVALENKOK");
}

#[test]
fn a_w_read_as_v_in_a_damaged_names_line_is_the_pages_w() {
    // `WEI` read `VE1` (a digit among the names: the line is damaged); the page reads `WE}`.
    let read = "Soyad / Surname: VVANG\nAd / Given names: WE}\nP<CHNWANG<<VE1<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nEA16881974CHN7905034<3405031<<<<<<<<<<<<<<<6";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.surname.as_str(), zone.given_names.as_str()),
        ("WANG", "WEI")
    );
}
