//! The zone reader against the ICAO specimens, a recogniser's usual confusions, and the zones the
//! desk and the demo write.

use super::*;
use crate::mrz::{Passport, td3};
use fields::letters_then_digits;
use repair::confusable;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

const TODAY: (i32, u32, u32) = (2026, 12, 1);

fn today() -> NaiveDate {
    day(TODAY.0, TODAY.1, TODAY.2)
}

/// ICAO Doc 9303's specimens: Anna Maria Eriksson of Utopia.
const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

#[test]
fn reads_the_three_icao_specimens_whole() {
    for (text, format, number) in [
        (TD3, Format::Td3, "L898902C3"),
        (TD2, Format::Td2, "D23145890"),
        (TD1, Format::Td1, "D23145890"),
    ] {
        // As a text layer spaces it: blank lines between the zone's lines.
        let spaced = text.replace('\n', "\n\n");
        let typed = find(
            &format!("Some heading\n{spaced}\nfooter"),
            Source::Typed,
            today(),
        );
        let zone = find(text, Source::Recognised, today()).unwrap();
        assert_eq!(typed.as_ref(), Some(&zone), "a text layer reads the same");
        assert_eq!(zone.format, format);
        assert_eq!(zone.failed, [], "{text}");
        assert_eq!(zone.corrected, []);
        assert_eq!(
            (zone.surname.as_str(), zone.given_names.as_str()),
            ("ERIKSSON", "ANNA MARIA")
        );
        assert_eq!(zone.document_number, number);
        assert_eq!(zone.nationality, "UTO");
        assert_eq!(zone.issuing_state, "UTO");
        assert_eq!(zone.date_of_birth, Some(day(1974, 8, 12)));
        assert_eq!(zone.expiry, Some(day(2012, 4, 15)));
        assert_eq!(zone.sex, 'F');
    }
}

#[test]
fn a_readers_confusions_are_corrected_only_where_a_check_digit_confirms() {
    // O for 0 in the date of birth and the composite digit, B for 8 in the number, spaces
    // in the lines, trailing fillers dropped.
    let misread = "P<UTOERIKSSON<<ANNA<MARIA\nL89B902C36UTO74O8122F1204159ZE184226B<<<<<1O";
    let zone = find(misread, Source::Recognised, today()).unwrap();
    assert_eq!(zone.failed, [], "{zone:?}");
    assert_eq!(
        zone.corrected,
        [Checked::DocumentNumber, Checked::DateOfBirth]
    );
    assert_eq!(zone.document_number, "L898902C3");
    assert_eq!(zone.date_of_birth, Some(day(1974, 8, 12)));
    // A wrong digit that no confusion explains stays wrong, and says so.
    let wrong = TD3.replace("7408122", "7408132");
    let zone = find(&wrong, Source::Recognised, today()).unwrap();
    assert!(zone.failed.contains(&Checked::DateOfBirth), "{zone:?}");
    assert_eq!(
        zone.date_of_birth,
        Some(day(1974, 8, 13)),
        "read as it stands"
    );
}

#[test]
fn a_text_layers_wrong_check_digit_stays_wrong_even_where_a_confusion_would_explain_it() {
    // B for 8 in the number, O for 0 in the date of birth: in a text layer that is what was
    // written, so the digits fail and the values stand as written.
    let written = TD3
        .replacen("L898902C3", "L89B902C3", 1)
        .replacen("7408122", "74O8122", 1);
    let zone = find(&written, Source::Typed, today()).unwrap();
    assert_eq!(
        zone.failed,
        [
            Checked::DocumentNumber,
            Checked::DateOfBirth,
            Checked::Composite
        ]
    );
    assert_eq!(zone.corrected, []);
    assert_eq!(zone.document_number, "L89B902C3");
    assert_eq!(zone.date_of_birth, None);
    // A digit in a name stays a digit.
    let zero = TD3.replacen("ERIKSSON", "ERIKSS0N", 1);
    assert_eq!(
        find(&zero, Source::Typed, today()).unwrap().surname,
        "ERIKSS0N"
    );
    // The same text read from a scan is corrected where the digits confirm.
    let zone = find(&written, Source::Recognised, today()).unwrap();
    assert_eq!(zone.failed, []);
    assert_eq!(zone.document_number, "L898902C3");
}

#[test]
fn a_recognised_scan_with_fillers_dropped_inside_and_a_c_read_as_6_reads_whole() {
    // As text recognition read a seeded passport scan: the names' fillers cut short, the
    // optional data's fillers cut short before the composite digit, `C` read as `6`.
    let read = "P<AZEMAMMADOV<<ISMAYIL<<<<<<<<<<<<<<<<\n6802662398AZE9802089<2802080<<<<<<2";
    let zone = find(read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.failed, [], "{zone:?}");
    assert_eq!(zone.corrected, [Checked::DocumentNumber]);
    assert_eq!(zone.document_number, "C80266239");
    assert_eq!(zone.surname, "MAMMADOV");
    assert_eq!(zone.date_of_birth, Some(day(1998, 2, 8)));
    assert_eq!(zone.expiry, Some(day(2028, 2, 8)));
    // A line short by more than its fillers could have lost is no zone line.
    assert!(
        find(
            "P<AZEMAMMADOV<<ISMAYIL\n68026623<2",
            Source::Recognised,
            today()
        )
        .is_none()
    );
}

#[test]
fn a_first_line_that_lost_its_filler_after_the_code_is_realigned_on_the_nationality() {
    let p = Passport {
        state: "TUR",
        surname: "Öztürk",
        given_names: "Zeynep",
        number: "HR5352910",
        date_of_birth: day(2002, 10, 25),
        sex: '<',
        expiry: day(2027, 10, 25),
    };
    let [l1, l2] = td3(&p);
    let lost = format!("P{}<", &l1[2..]);
    let zone = find(&format!("{lost}\n{l2}"), Source::Recognised, today()).unwrap();
    assert_eq!(
        (zone.issuing_state.as_str(), zone.surname.as_str()),
        ("TUR", "OZTURK")
    );
    assert_eq!(zone.given_names, "ZEYNEP");
    // A whole first line is left as it is.
    let whole = find(&format!("{l1}\n{l2}"), Source::Recognised, today()).unwrap();
    assert_eq!(
        (whole.issuing_state.as_str(), whole.surname.as_str()),
        ("TUR", "OZTURK")
    );
}

#[test]
fn letters_read_as_digits_where_only_letters_stand_are_letters_and_a_lost_letter_of_the_state_is_put_back()
 {
    let p = Passport {
        state: "IND",
        surname: "Sharma",
        given_names: "Priya",
        number: "EM3144723",
        date_of_birth: day(1980, 8, 13),
        sex: '<',
        expiry: day(2030, 8, 13),
    };
    let [l1, l2] = td3(&p);
    // As read from a skewed scan: the state's I lost, the nationality's I read as 1.
    let first = format!("P<{}<", &l1[3..]);
    let second = l2.replacen("IND", "1ND", 1);
    let zone = find(&format!("{first}\n{second}"), Source::Recognised, today()).unwrap();
    assert_eq!(zone.failed, vec![]);
    assert_eq!(
        (
            zone.issuing_state.as_str(),
            zone.nationality.as_str(),
            zone.surname.as_str(),
            zone.given_names.as_str()
        ),
        ("IND", "IND", "SHARMA", "PRIYA")
    );
    // A name with a zero in it is read with the letter O.
    let zero = l1.replacen("SHARMA", "SHARM0", 1);
    assert_eq!(
        find(&format!("{zero}\n{l2}"), Source::Recognised, today())
            .unwrap()
            .surname,
        "SHARMO"
    );
    // Both `I`s read as `1`, nothing lost: the surname stays whole.
    let both = format!("{}\n{second}", l1.replacen("IND", "1ND", 1));
    let zone = find(&both, Source::Recognised, today()).unwrap();
    assert_eq!(
        (
            zone.issuing_state.as_str(),
            zone.nationality.as_str(),
            zone.surname.as_str(),
            zone.failed.len()
        ),
        ("IND", "IND", "SHARMA", 0)
    );
    // The nationality's `D` read as `0` as well: the state's letter is among the digit's
    // lookalikes.
    let zone = find(
        &format!("{l1}\n{}", l2.replacen("IND", "1N0", 1)),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!((zone.nationality.as_str(), zone.failed.len()), ("IND", 0));
    // The state's `D` read as `O` and the nationality's `I` as `1`: each line mends the other.
    let zone = find(
        &format!("{}\n{second}", l1.replacen("IND", "INO", 1)),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(
        (zone.issuing_state.as_str(), zone.nationality.as_str()),
        ("IND", "IND")
    );
    // A state that differs from the nationality and lost nothing is left as it is.
    let other = l1.replacen("IND", "GBR", 1);
    assert_eq!(
        find(&format!("{other}\n{l2}"), Source::Recognised, today())
            .unwrap()
            .issuing_state,
        "GBR"
    );
}

#[test]
fn the_zone_the_desk_writes_reads_back() {
    let p = Passport {
        state: "AZE",
        surname: "Məmmədova",
        given_names: "Şəhla Gül",
        number: "C01234567",
        date_of_birth: day(2003, 2, 28),
        sex: '<',
        expiry: day(2033, 2, 27),
    };
    let [l1, l2] = td3(&p);
    let zone = find(&format!("{l1}\n{l2}"), Source::Typed, today()).unwrap();
    assert_eq!(zone.failed, []);
    assert_eq!(zone.surname, "MAMMADOVA");
    assert_eq!(zone.given_names, "SAHLA GUL");
    assert_eq!(zone.date_of_birth, Some(day(2003, 2, 28)));
    assert_eq!(zone.expiry, Some(day(2033, 2, 27)));
}

#[test]
fn text_without_a_zone_has_none() {
    assert_eq!(
        find(
            "Passport: C01234567\nName: ANNA",
            Source::Recognised,
            today()
        ),
        None
    );
    assert_eq!(find("", Source::Recognised, today()), None);
    assert_eq!(find(&"<".repeat(44), Source::Recognised, today()), None);
}

#[test]
fn of_several_readings_of_the_number_the_one_shaped_letters_then_digits_is_taken() {
    // As read from a demo scan: `I` read as `1`. `JI7044866`, `J17D44866` and `J17044B66` each
    // satisfy the number's digit; only the first is shaped like a passport number.
    let printed = "P<TURDEMIR<<EMRE<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nJI70448660TUR7806050<3306057<<<<<<<<<<<<<<<4";
    let read = printed.replacen("JI7044866", "J17044866", 1);
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.failed, [], "{zone:?}");
    assert_eq!(zone.document_number, "JI7044866");
    assert_eq!(zone.corrected, [Checked::DocumentNumber]);
    // A text layer is never corrected, even so.
    let zone = find(&read, Source::Typed, today()).unwrap();
    assert!(zone.failed.contains(&Checked::DocumentNumber), "{zone:?}");
    assert!(letters_then_digits("C0123456<") && !letters_then_digits("L898902C3"));
}

#[test]
fn a_state_that_lost_a_letter_and_had_another_confused_is_put_back_and_noise_after_the_names_is_dropped()
 {
    let p = Passport {
        state: "IND",
        surname: "Patel",
        given_names: "Priya",
        number: "QL8729011",
        date_of_birth: day(1978, 6, 11),
        sex: '<',
        expiry: day(2028, 6, 11),
    };
    let [l1, l2] = td3(&p);
    // As read from a demo scan: the state's `I` lost and its `D` read as `O`; a speck read as `K`
    // among the fillers.
    let first = format!("P<NO{}", &l1[5..]).replacen("<<<<<<<<<<<<", "<<<<<<K<<<<<", 1);
    let zone = find(&format!("{first}\n{l2}"), Source::Recognised, today()).unwrap();
    assert_eq!(
        (
            zone.issuing_state.as_str(),
            zone.surname.as_str(),
            zone.given_names.as_str()
        ),
        ("IND", "PATEL", "PRIYA")
    );
    assert_eq!(zone.failed, []);
    assert!(confusable("INO", "IND") && !confusable("INA", "IND"));
}

#[test]
fn a_number_printed_with_a_wrong_digit_is_not_corrected_into_another_when_the_composite_disagrees()
{
    // A demo zone printed with a wrong digit for `AB9560256`; the reader took `B` for `8`, and
    // `A89560256` happens to satisfy that digit. The composite, made from the true values, does
    // not hold for it: the number stands as read and its digit fails.
    let printed = "P<INDGUPTA<<ARJUN<<<<<<<<<<<<<<<<<<<<<<<<<<<\nAB95602561IND9107234<3307238<<<<<<<<<<<<<<<6";
    let expected = find(printed, Source::Typed, today()).unwrap();
    assert!(
        expected.failed.contains(&Checked::DocumentNumber),
        "{expected:?}"
    );
    let read = printed.replacen("1IND", "11ND", 1);
    let zone = find(&read, Source::Recognised, today()).unwrap();
    assert_eq!(zone.corrected, []);
    assert_eq!(zone.document_number, "AB9560256");
    assert_eq!(zone.failed, expected.failed, "{zone:?}");
}

/// An identity page as a recogniser read it: the printed fields, then the zone's lines.
fn page(surname: &str, given: &str, number: &str, zone: [&str; 2]) -> String {
    format!(
        "Pasport\nSoyad / Surname: {surname}\nAd / Given names: {given}\nPasport № / Passport No.: {number}\n{}\n{}",
        zone[0], zone[1]
    )
}

#[test]
fn a_number_two_corrections_explain_is_the_one_the_page_prints_when_the_zones_digit_holds_for_it() {
    // `0B…`: the `B` made `8` satisfies the digit as well as the `0` made `D`.
    let zone = [
        "P<INDSHARMA<<PRIYA<<<<<<<<<<<<<<<<<<<<<<<<<<",
        "0B783457171ND7105063<2805069<<<<<<<<<<<<<<<4",
    ];
    let read = find(
        &page("SHARMA", "PRIYA", "DB7834571", zone),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(read.document_number, "DB7834571");
    assert_eq!(read.failed, []);
    assert!(read.corrected.contains(&Checked::DocumentNumber));
    // Without the page's number, neither reading is taken for the other.
    let alone = find(&zone.join("\n"), Source::Recognised, today()).unwrap();
    assert_ne!(alone.document_number, "DB7834571");
    // A page printing another number (a forged zone): the zone's digit does not hold for it.
    let other = find(
        &page("SHARMA", "PRIYA", "DB7834572", zone),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_ne!(other.document_number, "DB7834572");
    // A text layer is read as written.
    let typed = find(
        &page("SHARMA", "PRIYA", "DB7834571", zone),
        Source::Typed,
        today(),
    )
    .unwrap();
    assert_eq!(typed.document_number, "0B7834571");
    assert_eq!(typed.failed[0], Checked::DocumentNumber);
}

#[test]
fn a_second_line_read_one_character_too_long_reads_whole_when_every_check_digit_then_holds() {
    // `RD…` read as `RO0…`: one character more, and `D` as `0`.
    let zone = [
        "P<GEOBERIDZE<<GIORGI<<<<<<<<<<<<<<<<<<<<<<<<",
        "RO086223982GE07103139<2703132<<<<<<<<<<<<<<<8",
    ];
    let read = find(
        &page("BERIDZE", "GIORGI", "RD8622398", zone),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(read.document_number, "RD8622398");
    assert_eq!(read.nationality, "GEO");
    assert_eq!(read.failed, []);
    // A line too long whose digits hold for no character less is no zone read whole.
    let broken = [zone[0], "RO086223982GE07103139<2703132<<<<<<<<<<<<<<<1"];
    let read = find(&broken.join("\n"), Source::Recognised, today());
    assert!(read.is_none_or(|z| !z.failed.is_empty()));
}

#[test]
fn a_name_that_lost_or_gained_a_narrow_letter_is_spelt_as_the_page_prints_it() {
    let read = find(
        &page(
            "PATEL",
            // The page's `J` read as a bracket.
            "AR)UN",
            "FI8101122",
            [
                "P<NDPATEL<<ARUN<<<<<<<<<<<<<<<<<<<<<<<<<<<",
                "FI810112201ND7210279<2910275<<<<<<<<<<<<<<<6",
            ],
        ),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(
        (read.surname.as_str(), read.given_names.as_str()),
        ("PATEL", "ARJUN")
    );
    assert_eq!(read.issuing_state, "IND");
    // `1` where only letters stand, and the `I` lost before it: the page's Azerbaijani letters
    // written as the zone writes them.
    let zone = [
        "P<AZEMAMMADOV<<SMAY1IL<<<<<<<<<<<<<<<<<<<<<<",
        "C391553044AZE7501171<3101171<<<<<<<<<<<<<<<4",
    ];
    let read = find(
        &page("MƏMMƏDOV", "İSMAYIL", "C39155304", zone),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(read.given_names, "ISMAYIL");
    // A name the page spells with other broad letters is not the page's: taken as read.
    let read = find(
        &page("MƏMMƏDOV", "ISMAYEL", "C39155304", zone),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(read.given_names, "SMAYIIL");
}

#[test]
fn a_zone_line_read_without_damage_keeps_its_names_whatever_narrow_letters_the_page_reading_lost() {
    // The page's own reading loses and gains narrow letters as well: `HOSSEIN}`, `[RYNA`, `REZAEIL`.
    let zone = [
        "P<IRNHOSSEINI<<REZE<<<<<<<<<<<<<<<<<<<<<<<<<",
        "RK32699822IRN7907234<2907239<<<<<<<<<<<<<<<6",
    ];
    let read = find(
        &page("HOSSEIN}", "REZE", "RK3269982", zone),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(read.failed, []);
    assert_eq!(read.surname, "HOSSEINI");
    let zone = [
        "P<UKRBONDARENKO<<IRYNA<<<<<<<<<<<<<<<<<<<<<<",
        "VC22069835UKR9201187<3001189<<<<<<<<<<<<<<<4",
    ];
    let read = find(
        &page("BONDARENKO", "[RYNA", "VC2206983", zone),
        Source::Recognised,
        today(),
    )
    .unwrap();
    assert_eq!(read.given_names, "IRYNA");
}

#[test]
fn a_narrow_letter_of_the_nationality_read_as_another_is_the_states() {
    let zone = "P<INDGUPTA<<RAHUL<<<<<<<<<<<<<<<<<<<<<<<<<<<\nAB75486214JND9401116<2801119<<<<<<<<<<<<<<<0";
    let read = find(zone, Source::Recognised, today()).unwrap();
    assert_eq!(read.nationality, "IND");
    assert_eq!(read.failed, []);
}

mod settled;
