import Foundation

exit(MoteTool.main(CommandLine.arguments))
