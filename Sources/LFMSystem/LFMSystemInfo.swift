public enum LFMSystemInfo {}
