import YAML
import LFMSystem
public enum LFMCoreInfo { public static let version = "0.1.0" }
