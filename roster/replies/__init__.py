"""The experts' answers to call-outs, through the signed links mailed to them."""
