//! Matching throughput and watchlist compile time against the number of terms (criterion).
//!
//! cargo bench --bench matching                      all of it (about two minutes)
//! cargo bench --bench matching -- match/names/10000  one case, e.g. under `perf record`
//!
//! The articles are the five seed articles (Arabic news prose, ~6 KB each), scanned one by one
//! from their folded form: throughput is in MB of folded text. Folding is measured apart
//! (`fold`): the pipeline folds an article once, for stories and watches.
//!
//! Three watchlist shapes, each at 10, 1,000 and 10,000 terms:
//! - `names`: the example config's watches, then persons' names in Arabic script and in Latin
//!   transliteration, ten per watch. Like a real list, most are absent from any one article,
//!   but their given names (محمد، عبد الله …) are everywhere, so the automaton still walks.
//! - `vocabulary`: two- and three-word terms drawn from the seeds' own words, so that nearly
//!   every word of the text starts some term and ten watches fire on every article. A harder
//!   case than any real list.
//! - `vocabulary+near`: the same, one watch in ten also carrying a NEAR query of two common
//!   words (found in nearly every article: the costly case for rule evaluation).
//!
//! Before measuring, each case prints its automaton size and what fires per article.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use raqib::config::query;
use raqib::config::{Config, Severity, Watch};
use raqib::text::{Folded, fold};
use raqib::watch::{Subject, Watchlist};

#[path = "../tests/support/seeds.rs"]
mod support;
use support::seeds;

const SIZES: [usize; 3] = [10, 1_000, 10_000];

const GIVEN: &[&str] = &[
    "محمد",
    "أحمد",
    "عبد الله",
    "يوسف",
    "عمر",
    "علي",
    "حسن",
    "حسين",
    "إبراهيم",
    "خالد",
    "سعيد",
    "رشيد",
    "مصطفى",
    "كريم",
    "هشام",
    "نبيل",
    "عزيز",
    "مراد",
    "سمير",
    "طارق",
    "ياسين",
    "أنس",
    "إدريس",
    "عثمان",
    "حمزة",
    "بلال",
    "زكرياء",
    "أيوب",
    "فاطمة",
    "خديجة",
    "مريم",
    "زينب",
    "سعاد",
    "نادية",
    "ليلى",
    "سناء",
    "حنان",
    "أمينة",
    "كوثر",
    "سلمى",
];

const FAMILY: &[&str] = &[
    "العلوي",
    "الإدريسي",
    "بنعلي",
    "التازي",
    "الفاسي",
    "بنكيران",
    "العثماني",
    "الراشدي",
    "الزياني",
    "المنصوري",
    "الخطيب",
    "بنسعيد",
    "الصديقي",
    "العمراني",
    "الودغيري",
    "الشرقاوي",
    "الكتاني",
    "البقالي",
    "الحسني",
    "الأزمي",
    "الطالبي",
    "اليزمي",
    "الناصري",
    "بنشماس",
    "الهيني",
    "الجامعي",
    "القادري",
    "البوعزاوي",
    "السوسي",
    "المراكشي",
    "الريفي",
    "الدكالي",
    "الشاوي",
    "التطواني",
    "الوزاني",
    "الغماري",
    "الصنهاجي",
    "بنجلون",
    "برادة",
    "بنيس",
    "العراقي",
    "السلاوي",
    "الرباطي",
    "الطنجاوي",
    "الوجدي",
    "المكناسي",
    "البيضاوي",
    "الزموري",
    "العبدي",
    "الحيحي",
];

const GIVEN_LATIN: &[&str] = &[
    "Mohammed", "Ahmed", "Abdellah", "Youssef", "Omar", "Ali", "Hassan", "Hussein", "Brahim",
    "Khalid", "Said", "Rachid", "Mustapha", "Karim", "Hicham", "Nabil", "Aziz", "Mourad", "Samir",
    "Tarik", "Yassine", "Anas", "Driss", "Othmane", "Hamza", "Bilal", "Zakaria", "Ayoub", "Fatima",
    "Khadija", "Meryem", "Zineb", "Souad", "Nadia", "Leila", "Sanaa", "Hanane", "Amina",
];

const FAMILY_LATIN: &[&str] = &[
    "Alaoui",
    "Idrissi",
    "Benali",
    "Tazi",
    "Fassi",
    "Benkirane",
    "Othmani",
    "Rachidi",
    "Ziani",
    "Mansouri",
    "El Khatib",
    "Bensaid",
    "Seddiki",
    "Amrani",
    "Ouadghiri",
    "Cherkaoui",
    "Kettani",
    "Bakkali",
    "Hassani",
    "Azami",
    "Talbi",
    "Yazami",
    "Naciri",
    "Benchemsi",
    "Hini",
    "Jamai",
    "Kadiri",
    "Bouazzaoui",
    "Soussi",
    "Marrakchi",
    "Rifi",
    "Doukkali",
    "Chaoui",
    "Tetouani",
    "Ouazzani",
    "Ghomari",
    "Sanhaji",
    "Benjelloun",
    "Berrada",
    "Bennis",
    "Iraqi",
    "Slaoui",
];

/// A xorshift sequence: the same watchlists on every run.
struct Draw(u64);

impl Draw {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        from[(self.0 % from.len() as u64) as usize]
    }
}

fn watch(name: String, aliases: Vec<String>) -> Watch {
    Watch {
        name,
        aliases,
        query: None,
        query_text: None,
        context: Vec::new(),
        severity: Severity::Medium,
        sinks: Vec::new(),
        alert: Default::default(),
    }
}

/// Terms in a watch: a watch follows one person or topic under its spellings.
fn terms_of(watches: &[Watch]) -> usize {
    watches.iter().map(|w| w.aliases.len()).sum()
}

/// The example config's watches, then generated names until `terms` aliases.
fn names(terms: usize) -> Vec<Watch> {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml");
    let mut watches = Config::load(std::path::Path::new(example))
        .expect("example config")
        .watches;
    while terms_of(&watches) > terms {
        watches.pop();
    }
    let mut draw = Draw(0x2545_F491_4F6C_DD1D);
    let mut seen = std::collections::HashSet::new();
    let mut aliases = Vec::new();
    let mut total = terms_of(&watches);
    while total < terms {
        let (given, family) = if total % 2 == 0 {
            (GIVEN, FAMILY)
        } else {
            (GIVEN_LATIN, FAMILY_LATIN)
        };
        // Full names of two or three parts: "given family" or "given father's-name family".
        let alias = if draw.pick(&["two", "three", "three"]) == "two" {
            format!("{} {}", draw.pick(given), draw.pick(family))
        } else {
            let (first, second) = (draw.pick(given), draw.pick(given));
            format!("{first} {second} {}", draw.pick(family))
        };
        if !seen.insert(alias.clone()) {
            continue;
        }
        aliases.push(alias);
        total += 1;
        if aliases.len() == 10 || total == terms {
            let name = format!("person-{}", watches.len());
            watches.push(watch(name, std::mem::take(&mut aliases)));
        }
    }
    watches
}

/// Terms made of the seeds' own words, ten per watch; one watch in ten with a NEAR query.
fn vocabulary(terms: usize, words: &[&str], near: bool) -> Vec<Watch> {
    let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
    let aliases: Vec<String> = (0..terms)
        .map(|i| {
            let n = 2 + i % 2;
            (0..n)
                .map(|_| draw.pick(words))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    aliases
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| {
            let mut watch = watch(format!("w{i}"), chunk.to_vec());
            if near && i % 10 == 0 {
                let text = format!(
                    "(\"{}\" NEAR/5 \"{}\") OR lang:ar",
                    draw.pick(words),
                    draw.pick(words)
                );
                watch.query = Some(query::parse(&text).expect("query"));
            }
            watch
        })
        .collect()
}

fn scan_all(list: &Watchlist, seeds: &[String], folded: &[[Folded; 2]]) -> (usize, usize) {
    let mut fired = 0;
    let mut matches = 0;
    for (seed, folded) in seeds.iter().zip(folded) {
        let subject = Subject {
            title: "",
            body: seed,
            outlet: "bench",
            lang: Some("ar"),
        };
        let hits = list.scan_folded(&subject, folded);
        fired += hits.len();
        matches += hits.iter().map(|h| h.matches.len()).sum::<usize>();
    }
    (fired, matches)
}

/// What a case is made of, printed once before it is measured.
fn describe(case: &str, list: &Watchlist, seeds: &[String], folded: &[[Folded; 2]]) {
    let (fired, matches) = scan_all(list, seeds, folded);
    let stats = list.stats();
    println!(
        "{case}: {} watches, {} terms, {} patterns, automaton {} KiB; \
         per article {:.1} watches fire with {:.1} matches",
        stats.watches,
        stats.terms,
        stats.patterns,
        stats.automaton_bytes / 1024,
        fired as f64 / seeds.len() as f64,
        matches as f64 / seeds.len() as f64,
    );
}

fn bench(c: &mut Criterion) {
    let seeds = seeds();
    let folded: Vec<[Folded; 2]> = seeds.iter().map(|s| [fold(""), fold(s)]).collect();
    let published: usize = seeds.iter().map(String::len).sum();
    let folded_bytes: usize = folded.iter().map(|f| f[1].text.len()).sum();
    let words: Vec<&str> = seeds
        .iter()
        .flat_map(|s| s.split_whitespace())
        .filter(|w| w.chars().count() > 3 && w.chars().all(char::is_alphabetic))
        .collect();

    let mut group = c.benchmark_group("fold");
    group.throughput(Throughput::BytesDecimal(published as u64));
    group.bench_function("seeds", |b| {
        b.iter(|| seeds.iter().map(|s| fold(black_box(s))).collect::<Vec<_>>())
    });
    group.finish();

    type Shape<'a> = (&'a str, Box<dyn Fn(usize) -> Vec<Watch> + 'a>);
    let shapes: [Shape; 3] = [
        ("names", Box::new(names)),
        ("vocabulary", Box::new(|n| vocabulary(n, &words, false))),
        ("vocabulary+near", Box::new(|n| vocabulary(n, &words, true))),
    ];
    for (shape, make) in &shapes {
        let mut group = c.benchmark_group(format!("match/{shape}"));
        group.throughput(Throughput::BytesDecimal(folded_bytes as u64));
        for terms in SIZES {
            let watches = make(terms);
            let list = Watchlist::compile(&watches).expect("compile");
            let mut described = false;
            group.bench_with_input(BenchmarkId::from_parameter(terms), &list, |b, list| {
                if !std::mem::replace(&mut described, true) {
                    describe(&format!("match/{shape}/{terms}"), list, &seeds, &folded);
                }
                b.iter(|| scan_all(list, &seeds, &folded))
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for terms in [1_000, 10_000] {
        let watches = names(terms);
        group.bench_with_input(BenchmarkId::new("names", terms), &watches, |b, w| {
            b.iter(|| Watchlist::compile(w).expect("compile"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
