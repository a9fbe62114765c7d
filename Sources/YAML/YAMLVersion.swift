import CYAML

/// The version of the libyaml library lfm is linked against, e.g. "0.2.5".
public enum LibYAML {
    public static var version: String { String(cString: yaml_get_version_string()) }
}
