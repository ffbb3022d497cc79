import Foundation
import MoteCoreDSP
import MoteFloat

MoteCoreDSP.install()
// One image at a time is too small a GEMM for OpenBLAS's threads to pay off (measured: 2 threads
// made peer_seed_64's float inference 2× slower, far worse on a busy machine); the trainer sets
// its own threading.
GEMM.threads = 1
exit(MoteTool.main(CommandLine.arguments))
