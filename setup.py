"""Build the Cython kernels.

Every `src/jpeglite/_*.pyx` becomes an extension module; compiler directives and
flags are set here, once. Flags stay portable (no -march=native, no -ffast-math)
so a wheel built here runs on any x86-64 or ARM machine.

SIMD: every kernel has a portable scalar reference and SIMD variants side by
side in one header per stage (src/jpeglite/_<stage>_simd.h; the convention is
written in _simd.h). The variant runs by CPU feature, chosen when a module
loads, never by compiler flag: SSE2 is part of every x86-64 CPU, and wider
variants (AVX2) are compiled per function with __attribute__((target(...))),
so no -march flag is needed or wanted (AVX2 is chosen by CPUID, with the OS's
YMM-state check, when a module loads). The environment variable
JPEGLITE_SIMD=scalar|sse2|avx2 caps the choice at run time, and tests/test_simd.py
runs every variant this machine has against the scalar one. CFLAGS=-DJL_NO_SIMD
compiles the scalar kernels alone (what a non-x86 build runs), to try them;
CFLAGS=-DJL_NO_AVX2 leaves out the AVX2 ones (a compiler without target attributes).

JPEGLITE_SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer
and turns Cython's bounds checks back on (for the hostile-input CI step).

Install speed and size: the .pyx files are translated and the extensions
compiled one job per core (``pip install .`` does not pass ``-j``, so the
default is set here; ``build_ext -j N`` still overrides it); Cython's utility
code goes into one shared module (jpeglite._cyutility) instead of every
extension, which halves the C to compile (16.5 to 10 MB) and the compile time;
and the extensions are built without debug information (-g0, and the linker
strips what the interpreter's own flags add): the installed package is the .so
files and the Python modules, about 3 MB (the sample photo included) instead of 32 MB. The .pyx/.pxd/.h sources
go into the sdist (MANIFEST.in) but not into the installed package.
"""
import glob
import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

JOBS = os.cpu_count() or 1
SHARED_UTILITY = "jpeglite._cyutility"

SANITIZE = os.environ.get("JPEGLITE_SANITIZE", "") not in ("", "0")

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": SANITIZE,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
    "nonecheck": False,
    "embedsignature": True,
}

if SANITIZE:
    CFLAGS = ["-O1", "-g", "-fno-omit-frame-pointer",
              "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
    LDFLAGS = ["-fsanitize=address,undefined"]
else:
    CFLAGS = ["-O3", "-g0"]
    # the interpreter's own CFLAGS carry -g: strip debug information and local
    # symbols at the link (the module's PyInit_ entry stays in the dynamic table)
    LDFLAGS = ["-Wl,-S", "-Wl,-x"] if sys.platform == "darwin" else ["-Wl,--strip-all"]


class BuildExt(build_ext):
    """build_ext with one compile job per core by default, and flags for the
    compiler at hand (MSVC takes neither GCC's optimisation nor its strip flags)."""

    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = JOBS

    def build_extensions(self):
        if self.compiler.compiler_type == "msvc":
            for ext in self.extensions:
                ext.extra_compile_args = ["/O2"]
                ext.extra_link_args = []
        super().build_extensions()


extensions = [
    Extension(
        "jpeglite." + os.path.splitext(os.path.basename(path))[0],
        [path],
        extra_compile_args=CFLAGS,
        extra_link_args=LDFLAGS,
    )
    for path in sorted(glob.glob("src/jpeglite/_*.pyx"))
] + [
    # Cython's utility code (memoryviews, buffer and type helpers) compiled once,
    # in a module of its own that the others import, instead of into every
    # module: half the C to compile, half the size of the extensions
    Extension(SHARED_UTILITY, [f"src/{SHARED_UTILITY.replace('.', '/')}.c"],
              extra_compile_args=CFLAGS, extra_link_args=LDFLAGS),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives=DIRECTIVES,
        include_path=["src"],
        nthreads=JOBS,
        shared_utility_qualified_name=SHARED_UTILITY,
    ),
    cmdclass={"build_ext": BuildExt},
)
