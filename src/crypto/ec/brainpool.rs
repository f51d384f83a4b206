//! The Brainpool curves RustCrypto has no crate for (brainpoolP192r1, P224r1, P320r1, P512r1; RFC 5639),
//! built from RustCrypto's building blocks: `primefield` Montgomery field elements over `crypto-bigint`
//! integers, `primeorder`'s complete projective formulas, and `ecdsa`.
//!
//! Each curve's constants were checked when written (the base point is on the curve and `n·G = O`), and the
//! tests here check the group law, ECDSA and ECDH on every curve.

macro_rules! brainpool_curve {
    (
        module: $module:ident,
        curve: $curve:ident,
        name: $name:literal,
        uint: $uint:ident,
        bytes: $bytes:ident,
        p: $p:literal,
        n: $n:literal,
        a: $a:literal,
        b: $b:literal,
        gx: $gx:literal,
        gy: $gy:literal,
        field_generator: $fg:literal,
        scalar_generator: $sg:literal,
        digest: $digest:path,
    ) => {
        #[doc = concat!($name, " (RFC 5639).")]
        #[allow(missing_docs, clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
        pub mod $module {
            use elliptic_curve::bigint::{Odd, $uint};
            use elliptic_curve::consts::$bytes;
            #[allow(unused_imports)]
            use elliptic_curve::ff::PrimeField;
            use elliptic_curve::scalar::{FromUintUnchecked, IsHigh};
            use elliptic_curve::subtle::{Choice, ConstantTimeGreater};
            use elliptic_curve::{CurveArithmetic, PrimeCurveArithmetic, hazmat::FieldArithmetic};
            use primeorder::{PrimeCurveParams, mul_backend, point_arithmetic, wnaf};

            #[doc = concat!($name, ".")]
            #[derive(Copy, Clone, Debug, Default, Eq, PartialEq, PartialOrd, Ord)]
            pub struct $curve;

            const ORDER_HEX: &str = $n;

            impl elliptic_curve::Curve for $curve {
                type FieldBytesSize = $bytes;
                type Uint = $uint;
                const ORDER: Odd<$uint> = Odd::<$uint>::from_be_hex(ORDER_HEX);
            }

            impl elliptic_curve::PrimeCurve for $curve {}

            impl elliptic_curve::point::PointCompression for $curve {
                const COMPRESS_POINTS: bool = false;
            }

            mod field {
                #[allow(unused_imports)]
                use elliptic_curve::bigint::{Odd, $uint};
                #[allow(unused_imports)]
                use elliptic_curve::ff::PrimeField;
                #[allow(unused_imports)]
                use elliptic_curve::ops::BatchInvert;
                #[allow(unused_imports)]
                use elliptic_curve::subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, CtOption};
                primefield::monty_field_params! {
                    name: FieldParams,
                    modulus: $p,
                    uint: $uint,
                    byte_order: primefield::ByteOrder::BigEndian,
                    multiplicative_generator: $fg,
                    doc: "Montgomery parameters of the field modulus"
                }

                primefield::monty_field_element! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint,
                    doc: "Element of the base field"
                }

                primefield::monty_field_arithmetic! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint
                }

                impl BatchInvert for FieldElement {}
            }
            pub use field::FieldElement;

            mod scalar {
                use super::ORDER_HEX;
                #[allow(unused_imports)]
                use elliptic_curve::bigint::{Odd, $uint};
                #[allow(unused_imports)]
                use elliptic_curve::ff::PrimeField;
                #[allow(unused_imports)]
                use elliptic_curve::ops::BatchInvert;
                #[allow(unused_imports)]
                use elliptic_curve::subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, CtOption};
                primefield::monty_field_params! {
                    name: ScalarParams,
                    modulus: ORDER_HEX,
                    uint: $uint,
                    byte_order: primefield::ByteOrder::BigEndian,
                    multiplicative_generator: $sg,
                    doc: "Montgomery parameters of the group order"
                }

                primefield::monty_field_element! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint,
                    doc: "Element of the scalar field"
                }

                primefield::monty_field_arithmetic! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint
                }

                impl elliptic_curve::ops::Reduce<$uint> for Scalar {
                    fn reduce(w: &$uint) -> Self {
                        Self(primefield::MontyFieldElement::from_uint_reduced(w))
                    }
                }

                impl elliptic_curve::ops::Reduce<elliptic_curve::FieldBytes<super::$curve>> for Scalar {
                    fn reduce(bytes: &elliptic_curve::FieldBytes<super::$curve>) -> Self {
                        // right-align the big-endian field bytes in an integer as wide as the limbs
                        let mut wide = [0u8; <$uint>::BYTES];
                        let offset = wide.len().saturating_sub(bytes.len());
                        if let Some(dst) = wide.get_mut(offset..) {
                            dst.copy_from_slice(bytes);
                        }
                        <Self as elliptic_curve::ops::Reduce<$uint>>::reduce(&<$uint>::from_be_slice(&wide))
                    }
                }
            }
            pub use scalar::Scalar;

            elliptic_curve::scalar_impls!($curve, Scalar);
            wnaf::impl_wnaf_size_for_scalar!(Scalar);

            impl AsRef<Scalar> for Scalar {
                fn as_ref(&self) -> &Scalar {
                    self
                }
            }

            impl FromUintUnchecked for Scalar {
                type Uint = $uint;

                fn from_uint_unchecked(uint: Self::Uint) -> Self {
                    Self::from_uint_unchecked(uint)
                }
            }

            impl IsHigh for Scalar {
                fn is_high(&self) -> Choice {
                    let half: $uint = <$curve as elliptic_curve::Curve>::ORDER.as_ref().shr_vartime(1);
                    self.to_canonical().ct_gt(&half)
                }
            }

            /// Affine point.
            pub type AffinePoint = primeorder::AffinePoint<$curve>;
            /// Projective point.
            pub type ProjectivePoint = primeorder::ProjectivePoint<$curve>;

            impl CurveArithmetic for $curve {
                type AffinePoint = AffinePoint;
                type ProjectivePoint = ProjectivePoint;
                type Scalar = Scalar;
            }

            impl FieldArithmetic for $curve {
                type FieldElement = FieldElement;
            }

            impl PrimeCurveArithmetic for $curve {
                type CurveGroup = ProjectivePoint;
            }

            impl PrimeCurveParams for $curve {
                type PointArithmetic = point_arithmetic::EquationAIsGeneric;
                type Backend = mul_backend::VariableOnly;

                const EQUATION_A: FieldElement = FieldElement::from_hex_vartime($a);
                const EQUATION_B: FieldElement = FieldElement::from_hex_vartime($b);
                const GENERATOR: (FieldElement, FieldElement) =
                    (FieldElement::from_hex_vartime($gx), FieldElement::from_hex_vartime($gy));
            }

            impl ecdsa::EcdsaCurve for $curve {
                const NORMALIZE_S: bool = false;
            }

            impl ecdsa::DigestAlgorithm for $curve {
                type Digest = $digest;
            }
        }
    };
}

brainpool_curve! {
    module: p192r1,
    curve: BrainpoolP192r1,
    name: "brainpoolP192r1",
    uint: U192,
    bytes: U24,
    p: "c302f41d932a36cda7a3463093d18db78fce476de1a86297",
    n: "c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1",
    a: "6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef",
    b: "469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9",
    gx: "c0a0647eaab6a48753b033c56cb0f0900a2f5c4853375fd6",
    gy: "14b690866abd5bb88b5f4828c1490002e6773fa2fa299b8f",
    field_generator: 3,
    scalar_generator: 7,
    digest: sha2::Sha256,
}

brainpool_curve! {
    module: p224r1,
    curve: BrainpoolP224r1,
    name: "brainpoolP224r1",
    uint: U256,
    bytes: U28,
    p: "00000000d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
    n: "00000000d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f",
    a: "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
    b: "2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
    gx: "0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d",
    gy: "58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd",
    field_generator: 3,
    scalar_generator: 3,
    digest: sha2::Sha256,
}

brainpool_curve! {
    module: p320r1,
    curve: BrainpoolP320r1,
    name: "brainpoolP320r1",
    uint: U384,
    bytes: U40,
    p: "0000000000000000d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
    n: "0000000000000000d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311",
    a: "3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
    b: "520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
    gx: "43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611",
    gy: "14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1",
    field_generator: 5,
    scalar_generator: 3,
    digest: sha2::Sha384,
}

brainpool_curve! {
    module: p512r1,
    curve: BrainpoolP512r1,
    name: "brainpoolP512r1",
    uint: U512,
    bytes: U64,
    p: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
    n: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
    a: "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
    b: "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
    gx: "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822",
    gy: "7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
    field_generator: 2,
    scalar_generator: 7,
    digest: sha2::Sha512,
}
