"""Models Curbside trains itself and ships inside the package (each at most 30 MB), and the code
that loads them from the installed files. Their training scripts live in bench/."""
