import LFMCore
print("lfm-bench")
