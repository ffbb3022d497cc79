/* The model, linked into read-only memory (flash) at a 16-byte aligned address.
   run.sh assembles this file in a directory holding the model as model.tflite. */
    .section .rodata.mote_model,"a"
    .balign 16
    .global mote_model_start, mote_model_end
mote_model_start:
    .incbin "model.tflite"
mote_model_end:
    .section .note.GNU-stack,"",%progbits
