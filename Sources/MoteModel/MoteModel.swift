import MoteCore
