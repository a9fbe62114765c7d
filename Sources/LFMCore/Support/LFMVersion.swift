public enum LFMVersion { public static let current = "0.1.0" }
