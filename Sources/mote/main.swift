import Foundation
import MoteCoreDSP

MoteCoreDSP.install()
exit(MoteTool.main(CommandLine.arguments))
