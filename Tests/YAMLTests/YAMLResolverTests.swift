import Testing
@testable import YAML

/// Expected kinds, taken from PyYAML 6.0.3 (`yaml.safe_load("k: " + text)`).
private let pyYAMLKinds: [(String, YAMLScalar.Kind)] = [
    ("", .null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("nULL", .string),
    ("yes", .bool), ("Yes", .bool), ("YES", .bool), ("yEs", .string), ("no", .bool), ("No", .bool),
    ("NO", .bool), ("on", .bool), ("On", .bool), ("ON", .bool), ("off", .bool), ("Off", .bool),
    ("OFF", .bool), ("true", .bool), ("True", .bool), ("TRUE", .bool), ("tRue", .string), ("false", .bool),
    ("y", .string), ("Y", .string), ("n", .string), ("N", .string),
    ("0", .int), ("-0", .int), ("+12", .int), ("00", .int), ("0755", .int), ("09", .string),
    ("0x1F", .int), ("0x_1F", .int), ("0b101", .int), ("0o17", .string), ("1_000", .int), ("1__0", .int),
    ("1_", .int), ("_1", .string), ("1:30", .int), ("190:20:30", .int), ("1:60", .string), ("1,000", .string),
    ("1e3", .string), ("1.0e4", .string), ("1e-05", .string), ("1.0e10", .string),
    ("1.0e+4", .float), ("1.0e-4", .float), ("6.8e-5", .float), ("1.e+3", .float), (".5", .float),
    ("+.5", .string), ("5.", .float), ("0.", .float), ("3.0", .float), ("1.5_0", .float), ("1:30.5", .float),
    (".inf", .float), ("-.inf", .float), ("+.Inf", .float), (".INF", .float), (".nan", .float), (".NaN", .float),
    ("+.nan", .string), ("inf", .string), ("nan", .string), (".", .string), ("._5", .string),
    ("2024-01-01", .timestamp), ("2024-1-1", .string), ("2024-01-01 10:00:00", .timestamp),
    ("2001-12-14t21:59:43.10-05:00", .timestamp), ("2001-12-14 21:59:43.10 Z", .timestamp),
    ("<<", .merge), ("=", .value), ("hello", .string), ("Qwen/Qwen3-4B", .string),
]

@Test func resolverMatchesPyYAMLTable() {
    for (text, kind) in pyYAMLKinds {
        #expect(YAMLResolver.resolve(text) == kind, "\(text)")
    }
}

@Test func scalarValues() {
    #expect(YAMLScalar.plain("0755").intValue == 493)
    #expect(YAMLScalar.plain("0x1F").intValue == 31)
    #expect(YAMLScalar.plain("-0b101").intValue == -5)
    #expect(YAMLScalar.plain("1_000").intValue == 1000)
    #expect(YAMLScalar.plain("1:30").intValue == 90)
    #expect(YAMLScalar.plain("1.0e-4").doubleValue == 1.0e-4)
    #expect(YAMLScalar.plain("1:30.5").doubleValue == 90.5)
    #expect(YAMLScalar.plain("5.").doubleValue == 5)
    #expect(YAMLScalar.plain(".5").doubleValue == 0.5)
    #expect(YAMLScalar.plain("-.inf").doubleValue == -.infinity)
    #expect(YAMLScalar.plain(".NaN").doubleValue?.isNaN == true)
    #expect(YAMLScalar.plain("7").doubleValue == 7)
    #expect(YAMLScalar.plain("Off").boolValue == false)
    #expect(YAMLScalar.plain("YES").boolValue == true)
    #expect(YAMLScalar.plain("~").isNull)
    #expect(YAMLScalar.plain("1e3").stringValue == "1e3")
    #expect(YAMLScalar.plain("1e3").doubleValue == nil)
    #expect(YAMLScalar("no", style: .singleQuoted).boolValue == nil)
    #expect(YAMLScalar("no", style: .singleQuoted).stringValue == "no")
    #expect(YAMLScalar("12", style: .doubleQuoted).intValue == nil)
    #expect(YAMLScalar("12", style: .doubleQuoted, tag: YAMLTag.int).intValue == 12)
    #expect(YAMLScalar("12", style: .plain, tag: YAMLTag.str).stringValue == "12")
}

@Test func semanticEquality() {
    #expect(YAMLScalar.plain("yes") == YAMLScalar.plain("true"))
    #expect(YAMLScalar.plain("0x10") == YAMLScalar.plain("16"))
    #expect(YAMLScalar.plain("1.0e-4") == YAMLScalar.plain("0.0001"))
    #expect(YAMLScalar.plain("hello") == YAMLScalar("hello", style: .any))
    #expect(YAMLScalar("no", style: .doubleQuoted) == YAMLScalar("no", style: .any))
    #expect(YAMLScalar.plain("no") != YAMLScalar("no", style: .any))
    #expect(YAMLScalar.plain("1") != YAMLScalar("1", style: .singleQuoted))
}

@Test(arguments: [
    (0.1, "0.1"), (3.0, "3.0"), (0.5, "0.5"), (0.0001, "0.0001"), (0.00001, "1.0e-5"), (5e-6, "5.0e-6"),
    (1.5e-5, "1.5e-5"), (1e10, "10000000000.0"), (1e16, "1.0e+16"), (-2.5e-7, "-2.5e-7"),
    (Double.infinity, ".inf"), (-Double.infinity, "-.inf"), (Double.nan, ".nan"), (0, "0.0"), (42, "42.0"),
])
func doubleFormatting(value: Double, expected: String) {
    let text = YAMLScalar.formatDouble(value)
    #expect(text == expected)
    #expect(YAMLResolver.resolve(text) == .float)
    if !value.isNaN { #expect(YAMLResolver.doubleValue(text) == value) }
}

@Test func ambiguousStrings() {
    for text in ["no", "No", "NO", "on", "off", "yes", "y", "n", "Y", "N", "true", "null", "~", "", "1e3", "1.0e4",
                 "0755", "0x1F", "2024-01-01", "1:30", ".inf", "1_000", "0o17", "+1", "-1", ".5", "<<", "=", "4bit"] {
        #expect(YAMLResolver.isAmbiguousAsPlain(text), "\(text)")
    }
    for text in ["hello", "Qwen/Qwen3-4B", "sft", "alpaca_en_demo", "nan", "inf", "-", "bf16", "yess"] {
        #expect(!YAMLResolver.isAmbiguousAsPlain(text), "\(text)")
    }
}
